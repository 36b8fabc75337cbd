package flattrs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
)

// Terms are Plaudit's terms on a received Like (see docs/federation.md,
// "Flattrs").
type Terms struct {
	Weight    int
	Month     string // "" when the Like names none: the month it was sent in
	Anonymous bool
}

// Received is a Like that a remote actor sent.
type Received struct {
	ActivityURI string
	ActorURI    string
	ObjectURI   string
	// Reaction is the emoji of a reaction (a Like with content, as
	// Misskey and Pleroma send, or an EmojiReact): neither flattr nor
	// cheer.
	Reaction string
	// Terms make the Like a flattr; nil for a plain Like, a cheer.
	Terms *Terms
	// At is when the Like was made (its published time); zero means now.
	At time.Time
}

// What a received Like turned out to be.
const (
	Ignored  = "ignored" // not of a local thing, or undone before it came
	Flattr   = "flattr"
	Cheer    = "cheer"
	Reaction = "reaction"
)

// Receive records a remote actor's Like of a local thing: an incoming
// flattr (pending the sending server's monthly statement), a cheer or a
// reaction. It tells which. A Like of something on another server is not
// ours to count (Ignored); a Like whose Undo came first stays undone
// (Ignored); a repeated Like is kept once. A flattr for a month that is
// closed or has not begun, or of a local id that is no thing, is
// app.EINVALID.
func (s *Service) Receive(ctx context.Context, r Received) (string, error) {
	if r.ObjectURI == "" {
		return "", app.Errorf(app.EINVALID, "like %s has no object", r.ActivityURI)
	}
	if !s.d.URLs.IsLocal(r.ObjectURI) {
		return Ignored, nil
	}
	if r.At.IsZero() || r.At.After(s.d.Now()) {
		r.At = s.d.Now()
	}
	r.At = r.At.UTC()
	var what string
	err := s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		undone, err := s.d.Store.Undone(ctx, r.ActorURI, r.ActivityURI)
		if err != nil {
			return err
		}
		if undone {
			what = Ignored
			return nil
		}
		t, err := s.d.Things.ByURI(ctx, r.ObjectURI)
		if errors.Is(err, app.ErrNotFound) {
			return app.Errorf(app.EINVALID, "%s is nothing that can be flattred here", r.ObjectURI)
		}
		if err != nil {
			return err
		}
		switch {
		case r.Reaction != "":
			what = Reaction
			_, err = s.d.Likes.InsertLike(ctx, &app.Like{ActivityURI: r.ActivityURI, ActorURI: r.ActorURI, ObjectURI: t.URI, Content: r.Reaction, CreatedAt: r.At})
			return err
		case r.Terms == nil:
			what = Cheer
			s.tellLiked(ctx, []LocalLike{{ActorURI: r.ActorURI, ThingURI: t.URI}})
			inserted, err := s.d.Likes.InsertLike(ctx, &app.Like{ActivityURI: r.ActivityURI, ActorURI: r.ActorURI, ObjectURI: t.URI, CreatedAt: r.At})
			if err != nil || !inserted {
				return err
			}
			return s.d.Things.Recount(ctx, t.URI, app.MonthOf(r.At))
		}
		what = Flattr
		s.tellLiked(ctx, []LocalLike{{ActorURI: r.ActorURI, ThingURI: t.URI}})
		return s.receiveFlattr(ctx, t, r)
	})
	if err != nil {
		return "", fmt.Errorf("like %s: %w", r.ActivityURI, err)
	}
	return what, nil
}

// receiveFlattr records an incoming flattr. A second Like from the same
// named funder for the same thing and month replaces the first.
func (s *Service) receiveFlattr(ctx context.Context, t *app.Thing, r Received) error {
	month, err := s.openMonth(ctx, r.Terms.Month, r.At)
	if err != nil {
		return err
	}
	if err := app.CheckWeight(r.Terms.Weight); err != nil {
		return err
	}
	if _, err := s.d.Store.FlattrByActivity(ctx, r.ActivityURI); err == nil {
		return nil // a repeated delivery
	} else if !errors.Is(err, app.ErrNotFound) {
		return err
	}
	if !r.Terms.Anonymous {
		old, err := s.d.Store.LiveFlattr(ctx, r.ActorURI, t.URI, month)
		switch {
		case err == nil:
			old.State = app.FlattrUndone
			if err := s.d.Store.UpdateFlattr(ctx, old); err != nil {
				return err
			}
		case !errors.Is(err, app.ErrNotFound):
			return err
		}
	}
	f := &app.Flattr{
		ActivityURI: r.ActivityURI, FunderURI: r.ActorURI, ThingURI: t.URI, OwnerURI: t.OwnerURI, Month: month,
		Weight: r.Terms.Weight, Anonymous: r.Terms.Anonymous, State: app.FlattrActive, ChangedAt: r.At, CreatedAt: s.d.Now().UTC(),
	}
	if _, err := s.d.Store.InsertFlattr(ctx, f); err != nil {
		return err
	}
	return s.d.Things.Recount(ctx, t.URI, month)
}

// openMonth is the month a received flattr counts in: the one it names,
// else the one it was made in. A month not begun or already closed is
// app.EINVALID.
func (s *Service) openMonth(ctx context.Context, month string, at time.Time) (string, error) {
	if month == "" {
		month = app.MonthOf(at)
	}
	start, err := app.ParseMonth(month)
	if err != nil {
		return "", err
	}
	if start.After(s.d.Now()) {
		return "", app.Errorf(app.EINVALID, "a flattr for %s, which has not begun", month)
	}
	if err := s.refuseClosed(ctx, month); err != nil {
		return "", err
	}
	return month, nil
}

// Changed applies a weight change a remote funder sent (an Update of
// their Like). A change older than the one stored is ignored (one of the
// same time is applied: servers that write whole seconds date a Like and
// a quick change alike); a change of
// a Like not received yet records the Like with the new weight (the Like
// itself, arriving later, is then a repeat).
func (s *Service) Changed(ctx context.Context, r Received) error {
	if r.Terms == nil {
		return app.Errorf(app.EINVALID, "update of %s carries no weight", r.ActivityURI)
	}
	if !s.d.URLs.IsLocal(r.ObjectURI) {
		return nil
	}
	if r.At.IsZero() || r.At.After(s.d.Now()) {
		r.At = s.d.Now()
	}
	r.At = r.At.UTC()
	return s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		f, err := s.d.Store.FlattrByActivity(ctx, r.ActivityURI)
		if errors.Is(err, app.ErrNotFound) {
			_, err := s.Receive(ctx, r)
			return err
		}
		if err != nil {
			return err
		}
		switch {
		case f.FunderURI != r.ActorURI:
			return app.Errorf(app.EFORBIDDEN, "%s cannot change %s's flattr", r.ActorURI, f.FunderURI)
		case !f.Live(), r.At.Before(f.ChangedAt):
			return nil // undone, or a change older than the one applied
		}
		if err := app.CheckWeight(r.Terms.Weight); err != nil {
			return err
		}
		if err := s.refuseClosed(ctx, f.Month); err != nil {
			return err
		}
		f.Weight, f.ChangedAt = r.Terms.Weight, r.At
		if err := s.d.Store.UpdateFlattr(ctx, f); err != nil {
			return err
		}
		return s.d.Things.Recount(ctx, f.ThingURI, f.Month)
	})
}

// Unliked withdraws a remote actor's Like: the flattr, cheer or reaction
// with id likeActivityURI or, when the Undo names no id, the actor's like
// of objectURI. The undone id is remembered, so that the Like, processed
// after its Undo, stays undone.
func (s *Service) Unliked(ctx context.Context, actorURI, likeActivityURI, objectURI string) error {
	return s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		if likeActivityURI == "" {
			return s.unlikeObject(ctx, actorURI, objectURI)
		}
		if _, err := s.d.Store.MarkUndone(ctx, actorURI, likeActivityURI, s.d.Now()); err != nil {
			return err
		}
		f, err := s.d.Store.FlattrByActivity(ctx, likeActivityURI)
		switch {
		case err == nil:
			if f.FunderURI != actorURI || f.Local || !f.Live() {
				return nil
			}
			f.State = app.FlattrUndone
			if err := s.d.Store.UpdateFlattr(ctx, f); err != nil {
				return err
			}
			return s.d.Things.Recount(ctx, f.ThingURI, f.Month)
		case !errors.Is(err, app.ErrNotFound):
			return err
		}
		l, err := s.d.Likes.LikeByActivityURI(ctx, likeActivityURI)
		switch {
		case errors.Is(err, app.ErrNotFound):
			return nil
		case err != nil:
			return err
		}
		found, err := s.d.Likes.DeleteLikeByActivity(ctx, actorURI, likeActivityURI)
		if err != nil || !found || l.Content != "" {
			return err
		}
		return s.d.Things.Recount(ctx, l.ObjectURI, app.MonthOf(l.CreatedAt))
	})
}

// unlikeObject removes actorURI's cheer of objectURI (an Undo that names
// only the object).
func (s *Service) unlikeObject(ctx context.Context, actorURI, objectURI string) error {
	if objectURI == "" {
		return nil
	}
	found, err := s.d.Likes.DeleteLikeOf(ctx, actorURI, objectURI)
	if err != nil || !found {
		return err
	}
	return s.d.Things.Recount(ctx, objectURI, app.MonthOf(s.d.Now()))
}

// Approved marks the local funders' pending flattr whose Like is
// likeActivityURI authorised by ownerURI, the thing's owner (an Accept, or
// a LikeAuthorization, from a server that approves Likes); Refused marks
// it rejected.
func (s *Service) Approved(ctx context.Context, ownerURI, likeActivityURI string) (bool, error) {
	return s.decide(ctx, ownerURI, likeActivityURI, app.FlattrActive)
}

// Refused marks a pending flattr rejected by the thing's owner.
func (s *Service) Refused(ctx context.Context, ownerURI, likeActivityURI string) (bool, error) {
	return s.decide(ctx, ownerURI, likeActivityURI, app.FlattrRejected)
}

func (s *Service) decide(ctx context.Context, ownerURI, likeActivityURI, state string) (bool, error) {
	var found bool
	err := s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		f, err := s.d.Store.FlattrByActivity(ctx, likeActivityURI)
		if errors.Is(err, app.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if !f.Local {
			return nil
		}
		found = true
		if f.OwnerURI != ownerURI {
			return app.Errorf(app.EFORBIDDEN, "%s does not own %s", ownerURI, f.ThingURI)
		}
		if f.State != app.FlattrPending && !(f.State == app.FlattrActive && state == app.FlattrRejected) {
			return nil
		}
		f.State = state
		if err := s.d.Store.UpdateFlattr(ctx, f); err != nil {
			return err
		}
		return s.d.Things.Recount(ctx, f.ThingURI, f.Month)
	})
	return found, err
}

// ReceiveAll is Receive for many Likes in one transaction (the ctx's, or
// one of its own): what each turned out to be, in order. The batch's
// undone ids and things are read once, its cheers and reactions written in
// one statement, and its things recounted together before the commit;
// flattrs go one by one (a flattr may replace its funder's earlier one).
// It fails as a whole when one of them fails, and then nothing is stored.
func (s *Service) ReceiveAll(ctx context.Context, rs []Received) ([]string, error) {
	out := make([]string, len(rs))
	var local []int
	for i, r := range rs {
		switch {
		case r.ObjectURI == "":
			return nil, app.Errorf(app.EINVALID, "like %s has no object", r.ActivityURI)
		case !s.d.URLs.IsLocal(r.ObjectURI):
			out[i] = Ignored
		default:
			local = append(local, i)
		}
	}
	if len(local) == 0 {
		return out, nil
	}
	now := s.d.Now()
	err := s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		ids, objects := make([]string, len(local)), make([]string, len(local))
		for j, i := range local {
			ids[j], objects[j] = rs[i].ActivityURI, rs[i].ObjectURI
		}
		undone, err := s.d.Store.UndoneAmong(ctx, ids)
		if err != nil {
			return err
		}
		things, err := s.d.Things.ByURIs(ctx, objects)
		if err != nil {
			return err
		}
		var likes []*app.Like
		var cheers, flattrs []int
		for _, i := range local {
			r := &rs[i]
			if r.At.IsZero() || r.At.After(now) {
				r.At = now
			}
			r.At = r.At.UTC()
			t := things[r.ObjectURI]
			switch {
			case undone[r.ActivityURI] == r.ActorURI && r.ActorURI != "":
				out[i] = Ignored
			case t == nil:
				return app.Errorf(app.EINVALID, "%s is nothing that can be flattred here", r.ObjectURI)
			case r.Reaction != "" || r.Terms == nil:
				out[i] = Cheer
				if r.Reaction != "" {
					out[i] = Reaction
				}
				likes = append(likes, &app.Like{ActivityURI: r.ActivityURI, ActorURI: r.ActorURI, ObjectURI: t.URI, Content: r.Reaction, CreatedAt: r.At})
				cheers = append(cheers, i)
			default:
				out[i] = Flattr
				flattrs = append(flattrs, i)
			}
		}
		if err := s.receiveFlattrs(ctx, rs, flattrs, things); err != nil {
			return err
		}
		inserted, err := s.d.Likes.InsertLikes(ctx, likes)
		if err != nil {
			return err
		}
		var liked []LocalLike
		for j, ok := range inserted {
			if ok && out[cheers[j]] == Cheer {
				c := app.CountChange{URI: likes[j].ObjectURI, Month: app.MonthOf(likes[j].CreatedAt), Cheers: 1}
				if err := s.d.Things.Adjust(ctx, c); err != nil {
					return err
				}
			}
		}
		for _, i := range local {
			if out[i] == Cheer || out[i] == Flattr {
				liked = append(liked, LocalLike{ActorURI: rs[i].ActorURI, ThingURI: things[rs[i].ObjectURI].URI})
			}
		}
		s.tellLiked(ctx, liked)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// receiveFlattrs records the incoming flattrs rs[idx] of a batch: their
// months checked once each, the repeats and the funders' standing
// flattrs read in one query each, the replaced ones withdrawn and the new
// ones written in one statement each. A Like the batch cannot settle
// alone (a funder's second of one thing in the batch, a row lost to a
// concurrent writer) goes the one-by-one way.
func (s *Service) receiveFlattrs(ctx context.Context, rs []Received, idx []int, things map[string]*app.Thing) error {
	if len(idx) == 0 {
		return nil
	}
	months := map[string]error{}
	ids := make([]string, 0, len(idx))
	var slots []app.FlattrSlot
	monthOf := make(map[int]string, len(idx))
	for _, i := range idx {
		r := rs[i]
		month := r.Terms.Month
		if month == "" {
			month = app.MonthOf(r.At)
		}
		err, seen := months[month]
		if !seen {
			_, err = s.openMonth(ctx, month, r.At)
			months[month] = err
		}
		if err != nil {
			return fmt.Errorf("like %s: %w", r.ActivityURI, err)
		}
		if err := app.CheckWeight(r.Terms.Weight); err != nil {
			return fmt.Errorf("like %s: %w", r.ActivityURI, err)
		}
		monthOf[i] = month
		ids = append(ids, r.ActivityURI)
		if !r.Terms.Anonymous {
			slots = append(slots, app.FlattrSlot{FunderKey: r.ActorURI, ThingURI: things[r.ObjectURI].URI, Month: month})
		}
	}
	repeats, err := s.d.Store.FlattrsByActivities(ctx, ids)
	if err != nil {
		return err
	}
	standing, err := s.d.Store.LiveFlattrsAmong(ctx, slots)
	if err != nil {
		return err
	}
	type slot struct{ funder, thing, month string }
	live := make(map[slot]*app.Flattr, len(standing))
	for i, f := range standing {
		if !f.Anonymous || f.Local {
			live[slot{f.FunderURI, f.ThingURI, f.Month}] = &standing[i]
		}
	}
	var replaced []int64
	var fresh []*app.Flattr
	var freshIdx, alone []int
	taken := map[slot]bool{}
	now := s.d.Now().UTC()
	for _, i := range idx {
		r := rs[i]
		if repeats[r.ActivityURI] {
			continue
		}
		t := things[r.ObjectURI]
		if !r.Terms.Anonymous {
			k := slot{r.ActorURI, t.URI, monthOf[i]}
			if taken[k] {
				alone = append(alone, i)
				continue
			}
			if old, ok := live[k]; ok {
				if old.State != app.FlattrActive {
					alone = append(alone, i) // one awaiting approval: not counted, not ours to move
					continue
				}
				replaced = append(replaced, old.ID)
			}
			taken[k] = true
		}
		fresh = append(fresh, &app.Flattr{
			ActivityURI: r.ActivityURI, FunderURI: r.ActorURI, ThingURI: t.URI, OwnerURI: t.OwnerURI, Month: monthOf[i],
			Weight: r.Terms.Weight, Anonymous: r.Terms.Anonymous, State: app.FlattrActive, ChangedAt: r.At, CreatedAt: now,
		})
		freshIdx = append(freshIdx, i)
	}
	withdrawn, err := s.d.Store.WithdrawFlattrs(ctx, replaced)
	if err != nil {
		return err
	}
	for _, f := range withdrawn {
		c := app.CountChange{URI: f.ThingURI, Month: f.Month, Flattrs: -1, Weight: -int64(f.Weight), FunderKey: f.Key()}
		if err := s.d.Things.Adjust(ctx, c); err != nil {
			return err
		}
	}
	inserted, err := s.d.Store.InsertFlattrs(ctx, fresh)
	if err != nil {
		return err
	}
	for j, ok := range inserted {
		if !ok {
			alone = append(alone, freshIdx[j])
			continue
		}
		f := fresh[j]
		c := app.CountChange{URI: f.ThingURI, Month: f.Month, Flattrs: 1, Weight: int64(f.Weight), FunderKey: f.Key()}
		if err := s.d.Things.Adjust(ctx, c); err != nil {
			return err
		}
	}
	for _, i := range alone {
		if err := s.receiveFlattr(ctx, things[rs[i].ObjectURI], rs[i]); err != nil {
			return fmt.Errorf("like %s: %w", rs[i].ActivityURI, err)
		}
	}
	return nil
}

// tellLiked hands likes to Deps.Liked once the transaction ctx carries
// has committed (nothing is told of a rolled-back one).
func (s *Service) tellLiked(ctx context.Context, likes []LocalLike) {
	if s.d.Liked == nil || len(likes) == 0 {
		return
	}
	app.AfterCommit(ctx, func(ctx context.Context) { s.d.Liked(ctx, likes) })
}

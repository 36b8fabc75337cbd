// Package flattrs holds the use cases of flattrs: a local funder flattrs a
// thing with a weight, changes the weight, takes it back, lists their
// month; and the other side, a Like received from another server becomes
// an incoming flattr (weighted Like from a Plaudit server), a cheer (a
// plain Like, as Mastodon sends) or a reaction (a Like with an emoji).
package flattrs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
)

// Store persists flattrs and the Likes undone.
type Store interface {
	InsertFlattr(ctx context.Context, f *app.Flattr) (bool, error)
	FlattrByActivity(ctx context.Context, activityURI string) (*app.Flattr, error)
	FlattrByID(ctx context.Context, id int64) (*app.Flattr, error)
	LiveFlattr(ctx context.Context, funderURI, thingURI, month string) (*app.Flattr, error)
	UpdateFlattr(ctx context.Context, f *app.Flattr) error
	FlattrsOf(ctx context.Context, funderURI, month string) ([]app.Flattr, error)
	MarkUndone(ctx context.Context, actorURI, activityURI string, at time.Time) (bool, error)
	Undone(ctx context.Context, actorURI, activityURI string) (bool, error)
	UndoneAmong(ctx context.Context, activityURIs []string) (map[string]string, error)
	FlattrsByActivities(ctx context.Context, activityURIs []string) (map[string]bool, error)
	LiveFlattrsAmong(ctx context.Context, slots []app.FlattrSlot) ([]app.Flattr, error)
	WithdrawFlattrs(ctx context.Context, ids []int64) ([]app.Flattr, error)
	InsertFlattrs(ctx context.Context, fs []*app.Flattr) ([]bool, error)
}

// Likes persists the Likes that are not flattrs: cheers and reactions.
type Likes interface {
	InsertLike(ctx context.Context, l *app.Like) (bool, error)
	LikeByActivityURI(ctx context.Context, uri string) (*app.Like, error)
	DeleteLikeByActivity(ctx context.Context, actorURI, activityURI string) (bool, error)
	DeleteLikeOf(ctx context.Context, actorURI, objectURI string) (bool, error)
	InsertLikes(ctx context.Context, likes []*app.Like) ([]bool, error)
}

// Things finds things and keeps their counts (implemented by
// app/things.Service).
type Things interface {
	Resolve(ctx context.Context, rawURL string) (*app.Thing, error)
	ByURI(ctx context.Context, uri string) (*app.Thing, error)
	ByURIs(ctx context.Context, uris []string) (map[string]*app.Thing, error)
	Recount(ctx context.Context, uri, month string) error
	Adjust(ctx context.Context, c app.CountChange) error
}

// Outbox sends flattrs to the things' servers (implemented by
// federation/outbox). owner is the remote actor to deliver to, or "" to
// only store the Like (a local thing, or one nobody owns yet).
type Outbox interface {
	// SendFlattr publishes f's Like, from the instance actor when f is
	// anonymous, and sets f.ActivityURI.
	SendFlattr(ctx context.Context, f *app.Flattr, owner string) (*app.Activity, error)
	// SendFlattrChange publishes f's new weight (an Update of its Like).
	SendFlattrChange(ctx context.Context, f *app.Flattr, owner string) (*app.Activity, error)
	// SendUndoFlattr publishes the Undo of f's Like.
	SendUndoFlattr(ctx context.Context, f *app.Flattr, owner string) (*app.Activity, error)
}

// Months tells which months are closed: their money split, their
// flattrs fixed.
type Months interface {
	Closed(ctx context.Context, month string) (bool, error)
}

// Addresses names local actors (implemented by federation.URLs).
type Addresses interface {
	Actor(username string) string
	IsLocal(uri string) bool
}

// Deps are what the Service needs.
type Deps struct {
	Tx     app.Transactor
	Store  Store
	Likes  Likes
	Things Things
	Outbox Outbox
	Months Months
	// Subscriptions, when set, keeps flattrs renewed every month.
	Subscriptions SubscriptionStore
	URLs          Addresses
	// Liked, when set, is told after the commit of the Likes of local
	// things that were received (cheers and flattrs; repeats too): the
	// auto-flattr of a funder's linked account (app/autoflattr).
	Liked func(ctx context.Context, likes []LocalLike)
	// Privacy, when set, holds funders' settings: a funder who does not
	// show their name to creators flattrs anonymously, from wherever the
	// flattr comes (web, API, Mastodon app, mention, auto-flattr).
	Privacy Privacy
	Now     func() time.Time
}

// Privacy reads a funder's settings (app/settings.Service).
type Privacy interface {
	Get(ctx context.Context, username string) (app.UserSettings, error)
}

// LocalLike is a Like a remote actor sent of a thing on this server.
type LocalLike struct {
	ActorURI string
	ThingURI string
}

// Service runs the flattr use cases.
type Service struct{ d Deps }

// New returns a Service. Without Months, a month closes GraceDays after
// it ends (CalendarMonths).
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Months == nil {
		d.Months = CalendarMonths{Now: d.Now}
	}
	return &Service{d: d}
}

// Request is a funder's flattr as they ask for it.
type Request struct {
	URL       string // the thing's id or its web page
	Weight    int    // 0 means app.DefaultWeight
	Anonymous bool
	// Tip, when not nil, sets the flattr's one-off tip (minor units).
	Tip *int64
}

// MaxTip bounds a tip, in minor units (1,000.00 in a two-digit currency):
// a typing slip must not empty a wallet.
const MaxTip = 100_000

// checkTip refuses a negative or huge tip.
func checkTip(tip int64) error {
	if tip < 0 || tip > MaxTip {
		return app.Errorf(app.EINVALID, "a tip is from 0 to %d minor units, not %d", MaxTip, tip)
	}
	return nil
}

// Flattr makes the local user username flattr the thing behind r.URL in
// the current month, or, when they flattred it this month already,
// changes that flattr's weight. The flattr is stored with its Like (and
// an Update for a change) in one transaction; a thing on another server
// gets the Like through durable delivery. The activity returned is the
// one sent (nil when nothing changed).
func (s *Service) Flattr(ctx context.Context, username string, r Request) (*app.Flattr, *app.Activity, error) {
	if r.Weight == 0 {
		r.Weight = app.DefaultWeight
	}
	if err := app.CheckWeight(r.Weight); err != nil {
		return nil, nil, err
	}
	if r.Tip != nil {
		if err := checkTip(*r.Tip); err != nil {
			return nil, nil, err
		}
	}
	if !r.Anonymous && s.d.Privacy != nil {
		us, err := s.d.Privacy.Get(ctx, username)
		if err != nil {
			return nil, nil, fmt.Errorf("flattr: %w", err)
		}
		r.Anonymous = !us.ShowName
	}
	t, err := s.d.Things.Resolve(ctx, r.URL)
	if err != nil {
		return nil, nil, err
	}
	funder := s.d.URLs.Actor(username)
	switch {
	case t.DeletedAt != nil:
		return nil, nil, app.Errorf(app.ENOTFOUND, "%s was deleted", t.URI)
	case t.OwnerURI == funder:
		return nil, nil, app.Errorf(app.EINVALID, "%s is yours: you cannot flattr your own things", t.URI)
	}
	now := s.d.Now().UTC()
	month := app.MonthOf(now)
	var (
		f   *app.Flattr
		act *app.Activity
	)
	err = s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		live, err := s.d.Store.LiveFlattr(ctx, funder, t.URI, month)
		switch {
		case err == nil:
			f = live
			if r.Tip != nil && *r.Tip != live.Tip {
				live.Tip = *r.Tip
				if err := s.d.Store.UpdateFlattr(ctx, live); err != nil {
					return err
				}
			}
			if live.Weight == r.Weight {
				return nil
			}
			act, err = s.change(ctx, live, r.Weight, now)
			return err
		case !errors.Is(err, app.ErrNotFound):
			return err
		}
		f = &app.Flattr{
			FunderURI: funder, ThingURI: t.URI, OwnerURI: t.OwnerURI, Month: month, Weight: r.Weight,
			Anonymous: r.Anonymous, Local: true, State: app.FlattrActive, ChangedAt: now, CreatedAt: now,
		}
		if r.Tip != nil {
			f.Tip = *r.Tip
		}
		if t.ApprovalRequired && !t.Local {
			f.State = app.FlattrPending
		}
		if act, err = s.d.Outbox.SendFlattr(ctx, f, s.deliverTo(t.OwnerURI)); err != nil {
			return err
		}
		inserted, err := s.d.Store.InsertFlattr(ctx, f)
		if err != nil {
			return err
		}
		if !inserted {
			return app.Errorf(app.ECONFLICT, "%s was flattred at the same moment from elsewhere; try again", t.URI)
		}
		return s.d.Things.Recount(ctx, t.URI, month)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("flattr %s: %w", t.URI, err)
	}
	return f, act, nil
}

// deliverTo is whom a flattr's activities go to: the owner when another
// server hosts them.
func (s *Service) deliverTo(owner string) string {
	if owner == "" || s.d.URLs.IsLocal(owner) {
		return ""
	}
	return owner
}

// change sets a live flattr's weight and sends the change.
func (s *Service) change(ctx context.Context, f *app.Flattr, weight int, now time.Time) (*app.Activity, error) {
	f.Weight, f.ChangedAt = weight, now
	if err := s.d.Store.UpdateFlattr(ctx, f); err != nil {
		return nil, err
	}
	var act *app.Activity
	if f.State == app.FlattrActive || f.State == app.FlattrPending {
		var err error
		if act, err = s.d.Outbox.SendFlattrChange(ctx, f, s.deliverTo(f.OwnerURI)); err != nil {
			return nil, err
		}
	}
	return act, s.d.Things.Recount(ctx, f.ThingURI, f.Month)
}

// own loads flattr id of the local user username, for a change: it must
// be theirs, still stand, and its month must be open.
func (s *Service) own(ctx context.Context, username string, id int64) (*app.Flattr, error) {
	f, err := s.Get(ctx, username, id)
	if err != nil {
		return nil, err
	}
	if !f.Live() {
		return nil, app.Errorf(app.EINVALID, "flattr %d was %s", id, f.State)
	}
	return f, nil
}

// ChangeWeight sets the weight of the local user's flattr id while its
// month is open.
func (s *Service) ChangeWeight(ctx context.Context, username string, id int64, weight int) (*app.Flattr, error) {
	if err := app.CheckWeight(weight); err != nil {
		return nil, err
	}
	return s.editOpen(ctx, username, id, "change", func(ctx context.Context, f *app.Flattr) error {
		if f.Weight == weight {
			return nil
		}
		_, err := s.change(ctx, f, weight, s.d.Now().UTC())
		return err
	})
}

// editOpen runs edit on the local user's flattr id, in one transaction,
// when the flattr is theirs, still stands and its month is open.
func (s *Service) editOpen(ctx context.Context, username string, id int64, what string, edit func(ctx context.Context, f *app.Flattr) error) (*app.Flattr, error) {
	var f *app.Flattr
	err := s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if f, err = s.own(ctx, username, id); err != nil {
			return err
		}
		if err := s.refuseClosed(ctx, f.Month); err != nil {
			return err
		}
		return edit(ctx, f)
	})
	if err != nil {
		return nil, fmt.Errorf("%s flattr %d: %w", what, id, err)
	}
	return f, nil
}

// SetTip sets the one-off tip (minor units) of the local user's flattr id
// while its month is open; 0 removes it. The tip stays on this server:
// it is paid at the close with the budget's split.
func (s *Service) SetTip(ctx context.Context, username string, id int64, tip int64) (*app.Flattr, error) {
	if err := checkTip(tip); err != nil {
		return nil, err
	}
	return s.editOpen(ctx, username, id, "tip of", func(ctx context.Context, f *app.Flattr) error {
		f.Tip = tip
		return s.d.Store.UpdateFlattr(ctx, f)
	})
}

// refuseClosed is app.EINVALID for a closed month.
func (s *Service) refuseClosed(ctx context.Context, month string) error {
	closed, err := s.d.Months.Closed(ctx, month)
	if err != nil {
		return err
	}
	if closed {
		return app.Errorf(app.EINVALID, "%s is closed: its money was split", month)
	}
	return nil
}

// Undo withdraws the local user's flattr id and sends the Undo. After its
// month is closed the favourite goes, but the money already split stays
// where it went.
func (s *Service) Undo(ctx context.Context, username string, id int64) (*app.Flattr, error) {
	var f *app.Flattr
	err := s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if f, err = s.own(ctx, username, id); err != nil {
			return err
		}
		return s.undo(ctx, f)
	})
	if err != nil {
		return nil, fmt.Errorf("undo flattr %d: %w", id, err)
	}
	return f, nil
}

// UndoActivity withdraws the local actor's flattr whose Like is
// likeActivityURI (an Undo posted to the outbox).
func (s *Service) UndoActivity(ctx context.Context, actorURI, likeActivityURI string) (*app.Activity, error) {
	var act *app.Activity
	err := s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		f, err := s.d.Store.FlattrByActivity(ctx, likeActivityURI)
		if err != nil || !f.Local || f.FunderURI != actorURI {
			return app.Errorf(app.ENOTFOUND, "%s is no flattr of yours", likeActivityURI)
		}
		if !f.Live() {
			return app.Errorf(app.EINVALID, "that flattr was %s already", f.State)
		}
		act, err = s.undoSent(ctx, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("undo %s: %w", likeActivityURI, err)
	}
	return act, nil
}

func (s *Service) undo(ctx context.Context, f *app.Flattr) error {
	_, err := s.undoSent(ctx, f)
	return err
}

func (s *Service) undoSent(ctx context.Context, f *app.Flattr) (*app.Activity, error) {
	f.State = app.FlattrUndone
	if err := s.d.Store.UpdateFlattr(ctx, f); err != nil {
		return nil, err
	}
	act, err := s.d.Outbox.SendUndoFlattr(ctx, f, s.deliverTo(f.OwnerURI))
	if err != nil {
		return nil, err
	}
	return act, s.d.Things.Recount(ctx, f.ThingURI, f.Month)
}

// Get loads the local user's flattr id.
func (s *Service) Get(ctx context.Context, username string, id int64) (*app.Flattr, error) {
	f, err := s.d.Store.FlattrByID(ctx, id)
	if err != nil || !f.Local || f.FunderURI != s.d.URLs.Actor(username) {
		return nil, app.Errorf(app.ENOTFOUND, "you have no flattr %d", id)
	}
	return f, nil
}

// Current returns the local user's live flattr of thingURI this month;
// none is app.ENOTFOUND.
func (s *Service) Current(ctx context.Context, username, thingURI string) (*app.Flattr, error) {
	f, err := s.d.Store.LiveFlattr(ctx, s.d.URLs.Actor(username), thingURI, app.MonthOf(s.d.Now()))
	if errors.Is(err, app.ErrNotFound) {
		return nil, app.Errorf(app.ENOTFOUND, "you have not flattred %s this month", thingURI)
	}
	if err != nil {
		return nil, fmt.Errorf("current flattr of %s: %w", thingURI, err)
	}
	return f, nil
}

// List returns the local user's flattrs of month ("" for this month),
// with their things. A month in the future is app.EINVALID.
func (s *Service) List(ctx context.Context, username, month string) ([]Listed, error) {
	now := s.d.Now().UTC()
	if month == "" {
		month = app.MonthOf(now)
	}
	start, err := app.ParseMonth(month)
	if err != nil {
		return nil, err
	}
	if start.After(now) {
		return nil, app.Errorf(app.EINVALID, "%s has not begun", month)
	}
	fs, err := s.d.Store.FlattrsOf(ctx, s.d.URLs.Actor(username), month)
	if err != nil {
		return nil, fmt.Errorf("flattrs of %s: %w", username, err)
	}
	uris := make([]string, len(fs))
	for i := range fs {
		uris[i] = fs[i].ThingURI
	}
	things, err := s.d.Things.ByURIs(ctx, uris)
	if err != nil {
		return nil, fmt.Errorf("flattrs of %s: %w", username, err)
	}
	out := make([]Listed, 0, len(fs))
	for i := range fs {
		out = append(out, Listed{Flattr: fs[i], Thing: things[fs[i].ThingURI]})
	}
	return out, nil
}

// ThingOf returns the thing f flattrs, or nil when it is gone.
func (s *Service) ThingOf(ctx context.Context, f *app.Flattr) *app.Thing {
	t, err := s.d.Things.ByURI(ctx, f.ThingURI)
	if err != nil {
		return nil
	}
	return t
}

// Listed is a flattr with its thing (nil if the thing is gone).
type Listed struct {
	app.Flattr
	Thing *app.Thing
}

// CalendarMonths closes a month GraceDays after it ends, the time late
// deliveries get (the money issue replaces it with the closes it stores).
type CalendarMonths struct {
	Now       func() time.Time
	GraceDays int // 0 means 3
}

// Closed implements Months.
func (c CalendarMonths) Closed(_ context.Context, month string) (bool, error) {
	_, end, err := app.MonthBounds(month)
	if err != nil {
		return false, err
	}
	grace := c.GraceDays
	if grace == 0 {
		grace = 3
	}
	return !c.Now().Before(end.AddDate(0, 0, grace)), nil
}

package store

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
)

// deliveryBatch is how many delivery rows one INSERT writes.
const deliveryBatch = 500

// PublishActivity stores a local activity and one pending delivery per
// distinct inbox (due at now), in one transaction, and returns the
// deliveries with their ids. An activity whose URI is already stored is
// app.ECONFLICT and stores nothing.
func (s *Store) PublishActivity(ctx context.Context, a *app.Activity, inboxes []string, now time.Time) ([]app.Delivery, error) {
	var out []app.Delivery
	err := s.InTx(ctx, func(tx *Store) error {
		var err error
		out, err = tx.insertPublished(ctx, a, inboxes, now)
		return err
	})
	return out, err
}

// PublishFollow publishes a Follow like PublishActivity and records the
// follow f in the same transaction. A pair that is already accepted stays
// accepted (a repeated Follow repairs the remote side; it does not undo
// the local one).
func (s *Store) PublishFollow(ctx context.Context, a *app.Activity, f *app.Follow, inboxes []string, now time.Time) ([]app.Delivery, error) {
	var out []app.Delivery
	err := s.InTx(ctx, func(tx *Store) error {
		old, err := tx.FollowByPair(ctx, f.FollowerURI, f.FolloweeURI)
		switch {
		case err == nil && old.State == app.FollowAccepted:
			f.State = app.FollowAccepted
		case err != nil && app.ErrorCode(err) != app.ENOTFOUND:
			return err
		}
		if out, err = tx.insertPublished(ctx, a, inboxes, now); err != nil {
			return err
		}
		return tx.UpsertFollow(ctx, f)
	})
	return out, err
}

// PublishLike publishes a Like like PublishActivity and records the like l
// in the same transaction. A second like of one object by one actor is
// app.ECONFLICT, and then nothing is stored.
func (s *Store) PublishLike(ctx context.Context, a *app.Activity, l *app.Like, inboxes []string, now time.Time) ([]app.Delivery, error) {
	var out []app.Delivery
	err := s.InTx(ctx, func(tx *Store) error {
		var err error
		if out, err = tx.insertPublished(ctx, a, inboxes, now); err != nil {
			return err
		}
		var n int64
		if err := tx.db.WithContext(ctx).Model(&app.Like{}).
			Where("actor_uri = ? AND object_uri = ?", l.ActorURI, l.ObjectURI).Count(&n).Error; err != nil {
			return translate(err, "likes of "+l.ObjectURI)
		}
		if n > 0 {
			return app.Errorf(app.ECONFLICT, "%s already likes %s", l.ActorURI, l.ObjectURI)
		}
		if l.CreatedAt.IsZero() {
			l.CreatedAt = now
		}
		return translate(tx.db.WithContext(ctx).Create(l).Error, "like "+l.ActivityURI)
	})
	return out, err
}

// PublishUndo publishes an Undo like PublishActivity and, in the same
// transaction, removes what the undone activity recorded: the follow of
// its object by its actor for a Follow, the like for a Like.
func (s *Store) PublishUndo(ctx context.Context, a *app.Activity, undone *app.Activity, inboxes []string, now time.Time) ([]app.Delivery, error) {
	var out []app.Delivery
	err := s.InTx(ctx, func(tx *Store) error {
		var err error
		if out, err = tx.insertPublished(ctx, a, inboxes, now); err != nil {
			return err
		}
		switch undone.Type {
		case "Follow":
			_, err = tx.DeleteFollow(ctx, undone.ActorURI, undone.ObjectURI)
		case "Like":
			err = translate(tx.db.WithContext(ctx).Where("activity_uri = ?", undone.URI).Delete(&app.Like{}).Error, "undo like "+undone.URI)
		}
		return err
	})
	return out, err
}

// LocalActivityByObject loads the oldest local activity of type typ whose
// object is objectURI, such as the Create of a local Note.
func (s *Store) LocalActivityByObject(ctx context.Context, typ, objectURI string) (*app.Activity, error) {
	var a app.Activity
	err := s.db.WithContext(ctx).Where("object_uri = ? AND type = ? AND local = ?", objectURI, typ, true).
		Order("id").First(&a).Error
	return &a, translate(err, typ+" of "+objectURI)
}

// insertPublished inserts a and its deliveries; run it in a transaction.
func (s *Store) insertPublished(ctx context.Context, a *app.Activity, inboxes []string, now time.Time) ([]app.Delivery, error) {
	now = now.UTC()
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now
	}
	inserted, err := s.InsertActivity(ctx, a)
	if err != nil {
		return nil, err
	}
	if !inserted {
		return nil, app.Errorf(app.ECONFLICT, "activity %s was already published", a.URI)
	}
	rows := make([]app.Delivery, 0, len(inboxes))
	seen := make(map[string]bool, len(inboxes))
	for _, inbox := range inboxes {
		if seen[inbox] {
			continue
		}
		seen[inbox] = true
		rows = append(rows, app.Delivery{
			ActivityID: a.ID, Inbox: inbox, Host: inboxHost(inbox), State: app.DeliveryPending,
			NextAttemptAt: now, CreatedAt: now, UpdatedAt: now,
		})
	}
	if len(rows) == 0 {
		return nil, nil
	}
	if err := s.db.WithContext(ctx).CreateInBatches(&rows, deliveryBatch).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("deliveries of activity %d", a.ID))
	}
	return rows, nil
}

// inboxHost is the host (and port, if any) of an inbox URL, lower-cased:
// the key deliveries and remote hosts are grouped by. An unparsable URL
// gives "".
func inboxHost(inbox string) string {
	u, err := url.Parse(inbox)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

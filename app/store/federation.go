package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/plaudit/plaudit/app"
)

// InstanceKey returns the instance actor's key pair, creating it with
// create on first use. Concurrent first calls keep one key.
func (s *Store) InstanceKey(ctx context.Context, create func() (*app.InstanceKey, error)) (*app.InstanceKey, error) {
	var k app.InstanceKey
	err := s.conn(ctx).First(&k, 1).Error
	if err == nil {
		return &k, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, translate(err, "instance key")
	}
	fresh, err := create()
	if err != nil {
		return nil, fmt.Errorf("create instance key: %w", err)
	}
	fresh.ID = 1
	if err := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(fresh).Error; err != nil {
		return nil, translate(err, "instance key")
	}
	if err := s.conn(ctx).First(&k, 1).Error; err != nil {
		return nil, translate(err, "instance key")
	}
	return &k, nil
}

// RemoteActorByURI loads a remote actor by its id.
func (s *Store) RemoteActorByURI(ctx context.Context, uri string) (*app.RemoteActor, error) {
	var a app.RemoteActor
	err := s.conn(ctx).Where("uri = ?", uri).First(&a).Error
	return &a, translate(err, "remote actor "+uri)
}

// RemoteActorByKeyID loads the remote actor owning a public key id.
func (s *Store) RemoteActorByKeyID(ctx context.Context, keyID string) (*app.RemoteActor, error) {
	var a app.RemoteActor
	err := s.conn(ctx).Where("key_id = ?", keyID).Order("fetched_at DESC").First(&a).Error
	return &a, translate(err, "remote actor with key "+keyID)
}

// UpsertRemoteActor inserts or refreshes a remote actor by URI; a fresh
// fetch also clears a deletion mark.
func (s *Store) UpsertRemoteActor(ctx context.Context, a *app.RemoteActor) error {
	now := time.Now().UTC()
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now
	}
	a.UpdatedAt = now
	err := s.conn(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "uri"}},
		DoUpdates: clause.AssignmentColumns([]string{
			"type", "host", "preferred_username", "name", "summary", "url", "icon_url", "inbox", "shared_inbox",
			"outbox", "followers", "key_id", "public_key_pem", "manually_approves_followers", "also_known_as",
			"moved_to", "document", "fetched_at", "deleted_at", "updated_at",
		}),
	}).Create(a).Error
	if err != nil {
		return translate(err, "remote actor "+a.URI)
	}
	return translate(s.conn(ctx).Where("uri = ?", a.URI).First(a).Error, "remote actor "+a.URI)
}

// MarkRemoteActorDeleted records that an actor was deleted and drops its
// follow relations.
func (s *Store) MarkRemoteActorDeleted(ctx context.Context, uri string, at time.Time) error {
	return s.WithTx(ctx, func(ctx context.Context) error {
		if err := s.conn(ctx).Model(&app.RemoteActor{}).Where("uri = ?", uri).
			Updates(map[string]any{"deleted_at": at, "updated_at": at}).Error; err != nil {
			return translate(err, "delete remote actor "+uri)
		}
		err := s.conn(ctx).Where("follower_uri = ? OR followee_uri = ?", uri, uri).Delete(&app.Follow{}).Error
		return translate(err, "drop follows of "+uri)
	})
}

// InsertActivity stores an activity once: it reports false, and stores
// nothing, when an activity with the same URI exists.
func (s *Store) InsertActivity(ctx context.Context, a *app.Activity) (bool, error) {
	dueFrom(a)
	res := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "uri"}}, DoNothing: true}).Create(a)
	if res.Error != nil {
		return false, translate(res.Error, "activity "+a.URI)
	}
	return res.RowsAffected == 1, nil
}

// ActivityByID loads an activity.
func (s *Store) ActivityByID(ctx context.Context, id int64) (*app.Activity, error) {
	var a app.Activity
	err := s.conn(ctx).First(&a, id).Error
	return &a, translate(err, fmt.Sprintf("activity %d", id))
}

// ActivityByURI loads an activity by its id URI.
func (s *Store) ActivityByURI(ctx context.Context, uri string) (*app.Activity, error) {
	var a app.Activity
	err := s.conn(ctx).Where("uri = ?", uri).First(&a).Error
	return &a, translate(err, "activity "+uri)
}

// SetActivityState records the outcome of processing a received activity.
func (s *Store) SetActivityState(ctx context.Context, id int64, state, errText string, at time.Time) error {
	err := s.conn(ctx).Model(&app.Activity{}).Where("id = ?", id).
		Updates(map[string]any{"state": state, "error": errText, "processed_at": at}).Error
	return translate(err, fmt.Sprintf("activity %d state", id))
}

// CountPublicOutbox counts a local actor's public activities.
func (s *Store) CountPublicOutbox(ctx context.Context, actorURI string) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&app.Activity{}).Where("actor_uri = ? AND local = ? AND public = ?", actorURI, true, true).Count(&n).Error
	return n, translate(err, "count outbox of "+actorURI)
}

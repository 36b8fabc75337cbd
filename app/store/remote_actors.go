package store

import (
	"context"
	"time"

	"github.com/plaudit/plaudit/app"
	"gorm.io/gorm/clause"
)

// RemoteActorsByInbox lists the undeleted remote actors whose personal
// inbox is inbox.
func (s *RemoteActors) RemoteActorsByInbox(ctx context.Context, inbox string) ([]app.RemoteActor, error) {
	var out []app.RemoteActor
	err := s.conn(ctx).Where("inbox = ? AND deleted_at IS NULL", inbox).Order("id").Find(&out).Error
	return out, translate(err, "actors with inbox "+inbox)
}

// RemoteActorByURI loads a remote actor by its id.
func (s *RemoteActors) RemoteActorByURI(ctx context.Context, uri string) (*app.RemoteActor, error) {
	var a app.RemoteActor
	err := s.conn(ctx).Where("uri = ?", uri).First(&a).Error
	return &a, translate(err, "remote actor "+uri)
}

// RemoteActorByKeyID loads the remote actor owning a public key id.
func (s *RemoteActors) RemoteActorByKeyID(ctx context.Context, keyID string) (*app.RemoteActor, error) {
	var a app.RemoteActor
	err := s.conn(ctx).Where("key_id = ?", keyID).Order("fetched_at DESC").First(&a).Error
	return &a, translate(err, "remote actor with key "+keyID)
}

// UpsertRemoteActor inserts or refreshes a remote actor by URI; a fresh
// fetch also clears a deletion mark.
func (s *RemoteActors) UpsertRemoteActor(ctx context.Context, a *app.RemoteActor) error {
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
func (s *RemoteActors) MarkRemoteActorDeleted(ctx context.Context, uri string, at time.Time) error {
	return s.WithTx(ctx, func(ctx context.Context) error {
		if err := s.conn(ctx).Model(&app.RemoteActor{}).Where("uri = ?", uri).
			Updates(map[string]any{"deleted_at": at, "updated_at": at}).Error; err != nil {
			return translate(err, "delete remote actor "+uri)
		}
		err := s.conn(ctx).Where("follower_uri = ? OR followee_uri = ?", uri, uri).Delete(&app.Follow{}).Error
		return translate(err, "drop follows of "+uri)
	})
}

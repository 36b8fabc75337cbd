package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/plaudit/plaudit/app"
)

// RemoteObjectByURI loads a remote object by its id, deleted or not.
func (s *RemoteObjects) RemoteObjectByURI(ctx context.Context, uri string) (*app.RemoteObject, error) {
	var o app.RemoteObject
	err := s.conn(ctx).Where("uri = ?", uri).First(&o).Error
	return &o, translate(err, "remote object "+uri)
}

// UpsertRemoteObject inserts or refreshes a remote object by URI; a fresh
// copy clears a deletion mark. o is reloaded with its row's id and times.
func (s *RemoteObjects) UpsertRemoteObject(ctx context.Context, o *app.RemoteObject) error {
	now := time.Now().UTC()
	if o.CreatedAt.IsZero() {
		o.CreatedAt = now
	}
	o.UpdatedAt = now
	err := s.conn(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "uri"}},
		DoUpdates: clause.AssignmentColumns([]string{
			"type", "attributed_to", "name", "summary", "content", "url", "in_reply_to",
			"public", "published_at", "document", "deleted_at", "updated_at",
		}),
	}).Create(o).Error
	if err != nil {
		return translate(err, "remote object "+o.URI)
	}
	return translate(s.conn(ctx).Where("uri = ?", o.URI).First(o).Error, "remote object "+o.URI)
}

// MarkRemoteObjectDeleted records that a remote object was deleted; it
// reports whether a live copy was known.
func (s *RemoteObjects) MarkRemoteObjectDeleted(ctx context.Context, uri string, at time.Time) (bool, error) {
	res := s.conn(ctx).Model(&app.RemoteObject{}).Where("uri = ? AND deleted_at IS NULL", uri).
		Updates(map[string]any{"deleted_at": at, "updated_at": at})
	return res.RowsAffected > 0, translate(res.Error, "delete remote object "+uri)
}

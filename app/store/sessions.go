package store

import (
	"context"
	"time"

	"github.com/plaudit/plaudit/app"
)

// CreateSession inserts a browser session.
func (s *Sessions) CreateSession(ctx context.Context, sess *app.Session) error {
	return translate(s.conn(ctx).Create(sess).Error, "session")
}

// SessionByTokenHash loads a session by the hash of its cookie.
func (s *Sessions) SessionByTokenHash(ctx context.Context, hash string) (*app.Session, error) {
	var sess app.Session
	err := s.conn(ctx).Where("token_hash = ?", hash).First(&sess).Error
	return &sess, translate(err, "session")
}

// TouchSession records when a session was last used.
func (s *Sessions) TouchSession(ctx context.Context, id int64, seen time.Time) error {
	err := s.conn(ctx).Model(&app.Session{}).Where("id = ?", id).Update("last_seen_at", seen).Error
	return translate(err, "touch session")
}

// DeleteSession removes a session (sign-out).
func (s *Sessions) DeleteSession(ctx context.Context, hash string) error {
	err := s.conn(ctx).Where("token_hash = ?", hash).Delete(&app.Session{}).Error
	return translate(err, "delete session")
}

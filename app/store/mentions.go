package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/plaudit/plaudit/app"
)

// Mentions records the replies that mentioned the flattr actor.
type Mentions struct{ *Database }

type mentionRow struct {
	NoteURI   string `gorm:"primaryKey"`
	ActorURI  string
	Outcome   string
	CreatedAt time.Time
}

func (mentionRow) TableName() string { return "mention_flattrs" }

// MentionHandled tells whether the reply noteURI was handled already.
func (s *Mentions) MentionHandled(ctx context.Context, noteURI string) (bool, error) {
	var n int64
	err := s.conn(ctx).Model(&mentionRow{}).Where("note_uri = ?", noteURI).Count(&n).Error
	return n > 0, translate(err, "mention "+noteURI)
}

// RecordMention stores what a reply led to; false when it was recorded
// already.
func (s *Mentions) RecordMention(ctx context.Context, noteURI, actorURI, outcome string, at time.Time) (bool, error) {
	res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&mentionRow{NoteURI: noteURI, ActorURI: actorURI, Outcome: outcome, CreatedAt: at.UTC()})
	if res.Error != nil {
		return false, translate(res.Error, "mention "+noteURI)
	}
	return res.RowsAffected == 1, nil
}

type linkCodeRow struct {
	Code      string `gorm:"primaryKey"`
	UserID    int64
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (linkCodeRow) TableName() string { return "link_codes" }

type mentionLinkRow struct {
	ActorURI string `gorm:"primaryKey"`
	UserID   int64
	LinkedAt time.Time
}

func (mentionLinkRow) TableName() string { return "mention_links" }

// InsertLinkCode stores a code for user id until expires.
func (s *Mentions) InsertLinkCode(ctx context.Context, code string, userID int64, expires time.Time) error {
	return translate(s.conn(ctx).Create(&linkCodeRow{Code: code, UserID: userID, ExpiresAt: expires.UTC()}).Error, "link code")
}

// UseLinkCode uses code up, once, before it expires, and links actorURI
// to its user; it returns the user's id, or 0 when the code is unknown,
// used or expired.
func (s *Mentions) UseLinkCode(ctx context.Context, code, actorURI string, now time.Time) (int64, error) {
	var userID int64
	err := s.WithTx(ctx, func(ctx context.Context) error {
		var rows []linkCodeRow
		if err := s.conn(ctx).Where("code = ? AND used_at IS NULL AND expires_at > ?", code, now.UTC()).Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		res := s.conn(ctx).Model(&linkCodeRow{}).Where("code = ? AND used_at IS NULL", code).Update("used_at", now.UTC())
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		userID = rows[0].UserID
		return s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "actor_uri"}}, UpdateAll: true}).
			Create(&mentionLinkRow{ActorURI: actorURI, UserID: userID, LinkedAt: now.UTC()}).Error
	})
	return userID, translate(err, "link code")
}

// LinkedUser is the id of the funder actorURI was linked to by a code;
// app.ENOTFOUND when none.
func (s *Mentions) LinkedUser(ctx context.Context, actorURI string) (int64, error) {
	var r mentionLinkRow
	if err := s.conn(ctx).Where("actor_uri = ?", actorURI).First(&r).Error; err != nil {
		return 0, translate(err, "link of "+actorURI)
	}
	return r.UserID, nil
}

// LinkedActors tells which of actorURIs are linked to a funder, in one
// query: by a verified account claim, else by a link
// code.
func (s *Mentions) LinkedActors(ctx context.Context, actorURIs []string) (map[string]int64, error) {
	out := map[string]int64{}
	if len(actorURIs) == 0 {
		return out, nil
	}
	var rows []struct {
		ActorURI string
		UserID   int64
		Pref     int
	}
	err := s.conn(ctx).Raw(`SELECT subject AS actor_uri, user_id, 0 AS pref FROM claims WHERE kind = ? AND state = ? AND subject IN ?
		UNION ALL SELECT actor_uri, user_id, 1 AS pref FROM mention_links WHERE actor_uri IN ?
		ORDER BY pref`, app.ClaimActor, app.ClaimVerified, actorURIs, actorURIs).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "linked actors")
	}
	for _, r := range rows {
		if _, ok := out[r.ActorURI]; !ok {
			out[r.ActorURI] = r.UserID
		}
	}
	return out, nil
}

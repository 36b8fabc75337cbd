package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"
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

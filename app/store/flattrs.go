package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/plaudit/plaudit/app"
)

// flattrRow is a flattr as stored; FunderKey makes "one live flattr per
// funder, thing and month" a unique index.
type flattrRow struct {
	ID          int64
	ActivityURI string
	FunderURI   string
	FunderKey   string
	ThingURI    string
	OwnerURI    string
	Month       string
	Weight      int
	Tip         int64
	Anonymous   bool
	Local       bool
	State       string
	ChangedAt   time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (flattrRow) TableName() string { return "flattrs" }

func (r *flattrRow) flattr() *app.Flattr {
	return &app.Flattr{
		ID: r.ID, ActivityURI: r.ActivityURI, FunderURI: r.FunderURI, ThingURI: r.ThingURI, OwnerURI: r.OwnerURI,
		Month: r.Month, Weight: r.Weight, Tip: r.Tip, Anonymous: r.Anonymous, Local: r.Local, State: r.State,
		ChangedAt: r.ChangedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

// funderKey is the key of one funder's live flattr: the funder, except for
// anonymous flattrs from other servers, which all come from one instance
// actor and are told apart by their Like.
func funderKey(f *app.Flattr) string { return f.Key() }

// undoneRow remembers an undone activity.
type undoneRow struct {
	ActivityURI string `gorm:"primaryKey"`
	ActorURI    string
	UndoneAt    time.Time
}

func (undoneRow) TableName() string { return "undone_activities" }

// InsertFlattr stores a new flattr and sets its ID. It reports false, and
// stores nothing, when a flattr with the same Like id exists or the
// funder already has a live flattr of the thing that month.
func (s *Flattrs) InsertFlattr(ctx context.Context, f *app.Flattr) (bool, error) {
	now := time.Now().UTC()
	if f.CreatedAt.IsZero() {
		f.CreatedAt = now
	}
	if f.ChangedAt.IsZero() {
		f.ChangedAt = f.CreatedAt
	}
	f.UpdatedAt = now
	r := flattrRow{
		ActivityURI: f.ActivityURI, FunderURI: f.FunderURI, FunderKey: funderKey(f), ThingURI: f.ThingURI,
		OwnerURI: f.OwnerURI, Month: f.Month, Weight: f.Weight, Tip: f.Tip, Anonymous: f.Anonymous, Local: f.Local,
		State: f.State, ChangedAt: f.ChangedAt.UTC(), CreatedAt: f.CreatedAt.UTC(), UpdatedAt: now,
	}
	res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
	if res.Error != nil {
		return false, translate(res.Error, "flattr "+f.ActivityURI)
	}
	if res.RowsAffected == 0 {
		return false, nil
	}
	f.ID = r.ID
	return true, nil
}

// FlattrByActivity loads a flattr by the id of its Like.
func (s *Flattrs) FlattrByActivity(ctx context.Context, activityURI string) (*app.Flattr, error) {
	var r flattrRow
	if err := s.conn(ctx).Where("activity_uri = ?", activityURI).First(&r).Error; err != nil {
		return nil, translate(err, "flattr "+activityURI)
	}
	return r.flattr(), nil
}

// FlattrByID loads a flattr by its row id.
func (s *Flattrs) FlattrByID(ctx context.Context, id int64) (*app.Flattr, error) {
	var r flattrRow
	if err := s.conn(ctx).Where("id = ?", id).First(&r).Error; err != nil {
		return nil, translate(err, "flattr")
	}
	return r.flattr(), nil
}

// LiveFlattr loads funderURI's live flattr of thingURI in month.
func (s *Flattrs) LiveFlattr(ctx context.Context, funderURI, thingURI, month string) (*app.Flattr, error) {
	var r flattrRow
	err := s.conn(ctx).Where("funder_key = ? AND thing_uri = ? AND month = ? AND state IN ?",
		funderURI, thingURI, month, []string{app.FlattrActive, app.FlattrPending}).First(&r).Error
	if err != nil {
		return nil, translate(err, "flattr of "+thingURI)
	}
	return r.flattr(), nil
}

// UpdateFlattr saves a flattr's weight, state and change time.
func (s *Flattrs) UpdateFlattr(ctx context.Context, f *app.Flattr) error {
	f.UpdatedAt = time.Now().UTC()
	err := s.conn(ctx).Model(&flattrRow{}).Where("id = ?", f.ID).Updates(map[string]any{
		"weight": f.Weight, "tip": f.Tip, "state": f.State, "changed_at": f.ChangedAt.UTC(), "updated_at": f.UpdatedAt,
	}).Error
	return translate(err, "flattr "+f.ActivityURI)
}

// FlattrsOf lists funderURI's flattrs made in month (all states), oldest
// first.
func (s *Flattrs) FlattrsOf(ctx context.Context, funderURI, month string) ([]app.Flattr, error) {
	var rows []flattrRow
	err := s.conn(ctx).Where("funder_uri = ? AND local AND month = ?", funderURI, month).Order("id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "flattrs of "+funderURI)
	}
	out := make([]app.Flattr, len(rows))
	for i := range rows {
		out[i] = *rows[i].flattr()
	}
	return out, nil
}

// FlattrsOfThing lists the live and past flattrs of thingURI in month.
func (s *Flattrs) FlattrsOfThing(ctx context.Context, thingURI, month string) ([]app.Flattr, error) {
	var rows []flattrRow
	err := s.conn(ctx).Where("thing_uri = ? AND month = ?", thingURI, month).Order("id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "flattrs of "+thingURI)
	}
	out := make([]app.Flattr, len(rows))
	for i := range rows {
		out[i] = *rows[i].flattr()
	}
	return out, nil
}

// MarkUndone remembers that actorURI undid activityURI. It reports false
// when it was known already.
func (s *Flattrs) MarkUndone(ctx context.Context, actorURI, activityURI string, at time.Time) (bool, error) {
	res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&undoneRow{ActivityURI: activityURI, ActorURI: actorURI, UndoneAt: at.UTC()})
	return res.RowsAffected == 1, translate(res.Error, "undo of "+activityURI)
}

// Undone tells whether actorURI undid activityURI.
func (s *Flattrs) Undone(ctx context.Context, actorURI, activityURI string) (bool, error) {
	var n int64
	err := s.conn(ctx).Model(&undoneRow{}).Where("activity_uri = ? AND actor_uri = ?", activityURI, actorURI).Count(&n).Error
	return n > 0, translate(err, "undo of "+activityURI)
}

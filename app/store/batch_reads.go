package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
)

// UndoneAmong tells which of activityURIs were undone, and by whom.
func (s *Flattrs) UndoneAmong(ctx context.Context, activityURIs []string) (map[string]string, error) {
	out := map[string]string{}
	if len(activityURIs) == 0 {
		return out, nil
	}
	var rows []undoneRow
	if err := s.conn(ctx).Where("activity_uri IN ?", activityURIs).Find(&rows).Error; err != nil {
		return nil, translate(err, "undone activities")
	}
	for _, r := range rows {
		out[r.ActivityURI] = r.ActorURI
	}
	return out, nil
}

// ThingsByURIs loads the stored things among uris, by URI.
func (s *Things) ThingsByURIs(ctx context.Context, uris []string) (map[string]*app.Thing, error) {
	out := map[string]*app.Thing{}
	if len(uris) == 0 {
		return out, nil
	}
	var rows []thingRow
	if err := s.conn(ctx).Where("uri IN ?", uris).Find(&rows).Error; err != nil {
		return nil, translate(err, "things")
	}
	for i := range rows {
		out[rows[i].URI] = rows[i].thing()
	}
	return out, nil
}

// InsertLikes records many Likes in one statement, each as InsertLike
// would (a like whose activity id is stored, or whose actor likes the
// object already, is not); it reports which were stored.
func (s *Likes) InsertLikes(ctx context.Context, likes []*app.Like) ([]bool, error) {
	inserted := make([]bool, len(likes))
	if len(likes) == 0 {
		return inserted, nil
	}
	var sb strings.Builder
	sb.WriteString("INSERT INTO likes (activity_uri, actor_uri, object_uri, content, created_at) VALUES ")
	args := make([]any, 0, 5*len(likes))
	first := make(map[string]int, len(likes))
	for i, l := range likes {
		if _, dup := first[l.ActivityURI]; dup {
			continue
		}
		first[l.ActivityURI] = i
		if l.CreatedAt.IsZero() {
			l.CreatedAt = time.Now().UTC()
		}
		if len(args) > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?)")
		args = append(args, l.ActivityURI, l.ActorURI, l.ObjectURI, l.Content, l.CreatedAt.UTC())
	}
	// No conflict target: either unique index makes a row a no-op.
	sb.WriteString(" ON CONFLICT DO NOTHING RETURNING id, activity_uri")
	var stored []struct {
		ID          int64
		ActivityURI string
	}
	if err := s.conn(ctx).Raw(sb.String(), args...).Find(&stored).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("insert %d likes", len(likes)))
	}
	for _, r := range stored {
		i := first[r.ActivityURI]
		likes[i].ID = r.ID
		inserted[i] = true
	}
	return inserted, nil
}

// FlattrsByActivities tells which of activityURIs are stored flattrs.
func (s *Flattrs) FlattrsByActivities(ctx context.Context, activityURIs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(activityURIs) == 0 {
		return out, nil
	}
	var found []string
	if err := s.conn(ctx).Model(&flattrRow{}).Where("activity_uri IN ?", activityURIs).Pluck("activity_uri", &found).Error; err != nil {
		return nil, translate(err, "flattrs")
	}
	for _, u := range found {
		out[u] = true
	}
	return out, nil
}

// LiveFlattrsAmong lists the live flattrs that stand in the given
// (funder key, thing, month) slots: one row at most per slot, found
// through the index that keeps a slot to one live flattr.
func (s *Flattrs) LiveFlattrsAmong(ctx context.Context, slots []app.FlattrSlot) ([]app.Flattr, error) {
	if len(slots) == 0 {
		return nil, nil
	}
	var sb strings.Builder
	// The states are written out, not bound, so that the planner can use
	// the partial index flattrs_one_per_month, whose predicate they match.
	sb.WriteString("SELECT * FROM flattrs WHERE state IN ('active', 'pending') AND (funder_key, thing_uri, month) IN (VALUES ")
	args := make([]any, 0, 3*len(slots))
	seen := make(map[app.FlattrSlot]bool, len(slots))
	for _, sl := range slots {
		if seen[sl] {
			continue
		}
		if len(seen) > 0 {
			sb.WriteString(", ")
		}
		seen[sl] = true
		sb.WriteString("(?, ?, ?)")
		args = append(args, sl.FunderKey, sl.ThingURI, sl.Month)
	}
	sb.WriteString(")")
	var rows []flattrRow
	if err := s.conn(ctx).Raw(sb.String(), args...).Find(&rows).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("live flattrs in %d slots", len(seen)))
	}
	out := make([]app.Flattr, len(rows))
	for i := range rows {
		out[i] = *rows[i].flattr()
	}
	return out, nil
}

// WithdrawFlattrs withdraws those of the flattrs ids that are still
// active (replaced by newer Likes) and returns them as they stood: a row
// that another transaction withdrew meanwhile is not withdrawn twice.
func (s *Flattrs) WithdrawFlattrs(ctx context.Context, ids []int64) ([]app.Flattr, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []flattrRow
	err := s.conn(ctx).Raw("UPDATE flattrs SET state = ?, updated_at = ? WHERE id IN ? AND state = ? RETURNING *",
		app.FlattrUndone, time.Now().UTC(), ids, app.FlattrActive).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "withdraw flattrs")
	}
	out := make([]app.Flattr, len(rows))
	for i := range rows {
		out[i] = *rows[i].flattr()
		out[i].State = app.FlattrActive
	}
	return out, nil
}

// InsertFlattrs stores many flattrs in one statement, each as InsertFlattr
// would (one whose Like is stored, or whose funder has a live flattr of the
// thing that month, is not); it reports which were stored.
func (s *Flattrs) InsertFlattrs(ctx context.Context, fs []*app.Flattr) ([]bool, error) {
	inserted := make([]bool, len(fs))
	if len(fs) == 0 {
		return inserted, nil
	}
	now := time.Now().UTC()
	var sb strings.Builder
	sb.WriteString(`INSERT INTO flattrs (activity_uri, funder_uri, funder_key, thing_uri, owner_uri, month, weight, tip, anonymous, local, state, changed_at, created_at, updated_at) VALUES `)
	args := make([]any, 0, 14*len(fs))
	index := make(map[string]int, len(fs))
	for i, f := range fs {
		if _, dup := index[f.ActivityURI]; dup {
			continue
		}
		index[f.ActivityURI] = i
		if f.CreatedAt.IsZero() {
			f.CreatedAt = now
		}
		if f.ChangedAt.IsZero() {
			f.ChangedAt = f.CreatedAt
		}
		if len(args) > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, f.ActivityURI, f.FunderURI, funderKey(f), f.ThingURI, f.OwnerURI, f.Month, f.Weight, f.Tip,
			f.Anonymous, f.Local, f.State, f.ChangedAt.UTC(), f.CreatedAt.UTC(), now)
	}
	// No conflict target: the Like's id and the live (funder, thing, month)
	// index both make a row a no-op.
	sb.WriteString(" ON CONFLICT DO NOTHING RETURNING id, activity_uri")
	var stored []struct {
		ID          int64
		ActivityURI string
	}
	if err := s.conn(ctx).Raw(sb.String(), args...).Find(&stored).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("insert %d flattrs", len(fs)))
	}
	for _, r := range stored {
		i := index[r.ActivityURI]
		fs[i].ID, fs[i].UpdatedAt = r.ID, now
		inserted[i] = true
	}
	return inserted, nil
}

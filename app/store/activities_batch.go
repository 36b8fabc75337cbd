package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/plaudit/plaudit/app"
)

// InsertActivities stores many activities in one statement, each at most
// once: a row whose URI exists already (or appears earlier in rows) is not
// stored. It reports, per row, whether it was stored, and sets the ID of
// the stored ones. One statement and one commit for many rows is what lets
// a busy inbox keep up.
func (s *Store) InsertActivities(ctx context.Context, rows []*app.Activity) ([]bool, error) {
	inserted := make([]bool, len(rows))
	if len(rows) == 0 {
		return inserted, nil
	}
	const cols = 13
	var sb strings.Builder
	sb.WriteString(`INSERT INTO activities (uri, type, actor_uri, object_uri, local, public, inbox_owner, document, state, error, attempts, next_attempt_at, created_at) VALUES `)
	args := make([]any, 0, len(rows)*cols)
	first := map[string]int{} // uri → index of its first row
	for i, a := range rows {
		if _, dup := first[a.URI]; dup {
			continue
		}
		first[a.URI] = i
		if len(args) > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		dueFrom(a)
		args = append(args, a.URI, a.Type, a.ActorURI, a.ObjectURI, a.Local, a.Public, a.InboxOwner, a.Document, a.State, a.Error,
			a.Attempts, a.NextAttemptAt, a.CreatedAt)
	}
	sb.WriteString(` ON CONFLICT (uri) DO NOTHING RETURNING id, uri`)
	var stored []struct {
		ID  int64
		URI string
	}
	if err := s.conn(ctx).Raw(sb.String(), args...).Scan(&stored).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("insert %d activities", len(rows)))
	}
	for _, r := range stored {
		i := first[r.URI]
		rows[i].ID = r.ID
		inserted[i] = true
	}
	return inserted, nil
}

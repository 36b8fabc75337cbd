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

// LocalActivityByObject loads the oldest local activity of type typ whose
// object is objectURI, such as the Create of a local Note.
func (s *Store) LocalActivityByObject(ctx context.Context, typ, objectURI string) (*app.Activity, error) {
	var a app.Activity
	err := s.conn(ctx).Where("object_uri = ? AND type = ? AND local = ?", objectURI, typ, true).
		Order("id").First(&a).Error
	return &a, translate(err, typ+" of "+objectURI)
}

// InsertDeliveries stores one pending delivery of activity a per distinct
// inbox, due at now, and returns them with their ids.
func (s *Store) InsertDeliveries(ctx context.Context, a *app.Activity, inboxes []string, now time.Time) ([]app.Delivery, error) {
	now = now.UTC()
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
	if err := s.conn(ctx).CreateInBatches(&rows, deliveryBatch).Error; err != nil {
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

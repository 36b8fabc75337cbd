package inbox

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/dereference/dereftest"
)

// TestProcessRemoteFailure: an activity whose object cannot be fetched is
// retried when the remote server failed (app.EUNAVAILABLE, like our own
// failures: the attempt is counted and the next one queued) and marked failed when the object does not exist.
func TestProcessRemoteFailure(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		wantRetry bool
		wantError string // in the failed activity's reason
	}{
		{"remote 500 is retried", http.StatusInternalServerError, true, ""},
		{"remote 503 is retried", http.StatusServiceUnavailable, true, ""},
		{"remote 404 fails", http.StatusNotFound, false, "not found on its server"},
		{"remote 410 fails", http.StatusGone, false, "gone from its server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			alice := e.alice()
			noteID := alice.id + "/statuses/9"
			e.remotes["https://mastodon.example"].Handle("/users/alice/statuses/9", dereftest.Response{Status: tt.status})
			rec := e.insertReceived(e.mustJSON(as2.NewActivity(noteID+"/activity", "Create", alice.id, noteID)),
				time.Now(), app.ActivityPending)
			if err := e.inbox.Process(context.Background(), rec.ID); err != nil {
				t.Fatalf("Process: %v; a failed attempt is recorded on the row, not returned", err)
			}
			got := e.activity(rec.URI)
			retries := e.queue.Attempts()
			switch {
			case tt.wantRetry && (got.State != app.ActivityPending || got.Attempts != 1 || !strings.Contains(got.Error, "remote")):
				t.Errorf("state %s, attempts %d (%q), want still pending after one counted attempt", got.State, got.Attempts, got.Error)
			case tt.wantRetry && len(retries) != 1:
				t.Errorf("next attempts queued: %+v, want one", retries)
			case !tt.wantRetry && len(retries) != 0:
				t.Errorf("a failed activity queued a retry: %+v", retries)
			case !tt.wantRetry && (got.State != app.ActivityFailed || !strings.Contains(got.Error, tt.wantError)):
				t.Errorf("state %s (%q), want failed with %q", got.State, got.Error, tt.wantError)
			}
			if _, err := e.store.RemoteObjectByURI(context.Background(), noteID); app.ErrorCode(err) != app.ENOTFOUND {
				t.Errorf("object stored after a failed fetch (err %v)", err)
			}
		})
	}
}

package instance_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/plaudit/plaudit/app"
)

// TestHiddenNameFlattrsAnonymously: erin on A chose not to show her name
// to creators; her flattr through the API, which does not ask for
// anonymity, reaches B from A's instance actor, and nothing on B names
// her. Frank, who shows his name, is named.
func TestHiddenNameFlattrsAnonymously(t *testing.T) {
	ctx := context.Background()
	a, b := startNode(t, "A"), startNode(t, "B")
	erinToken, frankToken, bobToken := a.user("erin"), a.user("frank"), b.user("bob")
	noteURI := b.publishNote("bob", bobToken, "for everyone")
	erin, err := a.inst.TestStore().UserByUsername(ctx, "erin")
	if err != nil {
		t.Fatal(err)
	}
	hidden := app.DefaultUserSettings(erin.ID)
	hidden.ShowName = false
	if err := a.inst.TestStore().SaveUserSettings(ctx, hidden); err != nil {
		t.Fatal(err)
	}

	var f flattrOut
	a.apiJSON(http.MethodPost, "/api/v1/flattrs", erinToken, map[string]any{"url": noteURI, "weight": 2}, http.StatusCreated, &f)
	eventually(t, "erin's flattr on B", func() bool { return b.incomingFlattr(f.URI) != nil })
	if got := b.incomingFlattr(f.URI); !got.Anonymous || got.FunderURI == a.actor("erin") || !strings.HasPrefix(got.FunderURI, a.base()) {
		t.Fatalf("B recorded erin's flattr as %+v; want it anonymous, from A's instance actor", got)
	}
	if n := b.count("SELECT COUNT(*) FROM activities WHERE document LIKE ?", "%"+a.actor("erin")+"%"); n != 0 {
		t.Fatalf("%d activities on B name erin", n)
	}

	a.apiJSON(http.MethodPost, "/api/v1/flattrs", frankToken, map[string]any{"url": noteURI, "weight": 2}, http.StatusCreated, &f)
	eventually(t, "frank's flattr on B", func() bool { return b.incomingFlattr(f.URI) != nil })
	if got := b.incomingFlattr(f.URI); got.Anonymous || got.FunderURI != a.actor("frank") {
		t.Fatalf("B recorded frank's flattr as %+v; want it from frank", got)
	}
}

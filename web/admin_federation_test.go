package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store/storetest"
)

func TestAdminFederationForbidden(t *testing.T) {
	f := newFedFixture(t)
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/admin/domain_blocks"},
		{"POST", "/api/v1/admin/domain_blocks"},
		{"DELETE", "/api/v1/admin/domain_blocks/x.example"},
		{"GET", "/api/v1/admin/actor_blocks"},
		{"POST", "/api/v1/admin/actor_blocks"},
		{"DELETE", "/api/v1/admin/actor_blocks?actor=https://x.example/u"},
		{"GET", "/api/v1/admin/deliveries?state=dead"},
		{"POST", "/api/v1/admin/deliveries/1/retry"},
	} {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			if resp, body := f.call(t, r.method, r.path, f.alice, ""); resp.StatusCode != http.StatusForbidden {
				t.Errorf("as a user: %d %s, want 403", resp.StatusCode, body)
			}
			if resp, _ := f.call(t, r.method, r.path, "", ""); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("anonymous: %d, want 401", resp.StatusCode)
			}
		})
	}
}

func TestAdminDomainBlocks(t *testing.T) {
	f := newFedFixture(t)
	resp, body := f.call(t, "POST", "/api/v1/admin/domain_blocks", f.root, `{"domain":"Spam.Example","reason":"spam"}`)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(body, `"domain":"spam.example","severity":"reject"`) {
		t.Fatalf("block = %d %s", resp.StatusCode, body)
	}
	if resp, body := f.call(t, "POST", "/api/v1/admin/domain_blocks", f.root, `{"domain":"quiet.example","severity":"silence"}`); resp.StatusCode != 201 {
		t.Fatalf("block silence = %d %s", resp.StatusCode, body)
	}
	if resp, body := f.call(t, "POST", "/api/v1/admin/domain_blocks", f.root, `{"domain":"x.example","severity":"nuke"}`); resp.StatusCode != 400 {
		t.Errorf("bad severity = %d %s, want 400", resp.StatusCode, body)
	}
	if resp, _ := f.call(t, "POST", "/api/v1/admin/domain_blocks", f.root, `not json`); resp.StatusCode != 400 {
		t.Errorf("bad JSON = %d, want 400", resp.StatusCode)
	}
	_, body = f.call(t, "GET", "/api/v1/admin/domain_blocks", f.root, "")
	var list []struct{ Domain, Severity, Reason string }
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	want := []struct{ Domain, Severity, Reason string }{{"quiet.example", "silence", ""}, {"spam.example", "reject", "spam"}}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("blocks (-want +got):\n%s", diff)
	}
	if resp, _ := f.call(t, "DELETE", "/api/v1/admin/domain_blocks/spam.example", f.root, ""); resp.StatusCode != http.StatusNoContent {
		t.Errorf("unblock = %d", resp.StatusCode)
	}
	if resp, _ := f.call(t, "DELETE", "/api/v1/admin/domain_blocks/spam.example", f.root, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unblock again = %d, want 404", resp.StatusCode)
	}
}

func TestAdminActorBlocks(t *testing.T) {
	f := newFedFixture(t)
	actor := "https://m.example/users/troll"
	if resp, body := f.call(t, "POST", "/api/v1/admin/actor_blocks", f.root, `{"actor":"`+actor+`","reason":"abuse"}`); resp.StatusCode != 201 {
		t.Fatalf("block actor = %d %s", resp.StatusCode, body)
	}
	if resp, _ := f.call(t, "POST", "/api/v1/admin/actor_blocks", f.root, `{"actor":"troll"}`); resp.StatusCode != 400 {
		t.Errorf("block of a non-URI = %d, want 400", resp.StatusCode)
	}
	_, body := f.call(t, "GET", "/api/v1/admin/actor_blocks", f.root, "")
	if !strings.Contains(body, `"actor":"`+actor+`","reason":"abuse"`) {
		t.Errorf("actor blocks = %s", body)
	}
	if resp, _ := f.call(t, "DELETE", "/api/v1/admin/actor_blocks?actor="+url.QueryEscape(actor), f.root, ""); resp.StatusCode != 204 {
		t.Errorf("unblock by query = %d", resp.StatusCode)
	}
	f.call(t, "POST", "/api/v1/admin/actor_blocks", f.root, `{"actor":"`+actor+`"}`)
	if resp, _ := f.call(t, "DELETE", "/api/v1/admin/actor_blocks", f.root, `{"actor":"`+actor+`"}`); resp.StatusCode != 204 {
		t.Errorf("unblock by body = %d", resp.StatusCode)
	}
	if _, body := f.call(t, "GET", "/api/v1/admin/actor_blocks", f.root, ""); body != "[]" {
		t.Errorf("actor blocks after unblocking = %s", body)
	}
}

func TestAdminDeadLetters(t *testing.T) {
	f := newFedFixture(t)
	ctx := context.Background()
	a := &app.Activity{URI: fedBase + "/activities/x", Type: "Like", ActorURI: fedBase + "/users/alice", Local: true, Document: "{}", State: app.ActivityPublished}
	ds, err := storetest.Publish(ctx, f.st, a, []string{"https://a.example/inbox", "https://b.example/inbox"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dead := ds[0]
	dead.State, dead.Attempts, dead.LastStatus, dead.LastError = app.DeliveryDead, 1, 404, "https://a.example/inbox: unexpected status 404 Not Found"
	if err := f.st.SaveDeliveryAttempt(ctx, &dead); err != nil {
		t.Fatal(err)
	}

	resp, body := f.call(t, "GET", "/api/v1/admin/deliveries?state=dead", f.root, "")
	var list []struct {
		ID         int64  `json:"id"`
		Inbox      string `json:"inbox"`
		State      string `json:"state"`
		LastStatus int    `json:"last_status"`
		LastError  string `json:"last_error"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil || resp.StatusCode != 200 {
		t.Fatalf("dead letters = %d %s (%v)", resp.StatusCode, body, err)
	}
	if len(list) != 1 || list[0].ID != dead.ID || list[0].LastStatus != 404 || !strings.Contains(list[0].LastError, "404") {
		t.Fatalf("dead letters = %+v, want the one dead delivery with its error", list)
	}
	if resp, _ := f.call(t, "GET", "/api/v1/admin/deliveries?state=weird", f.root, ""); resp.StatusCode != 400 {
		t.Errorf("unknown state = %d, want 400", resp.StatusCode)
	}

	id := strconv.FormatInt(dead.ID, 10)
	resp, body = f.call(t, "POST", "/api/v1/admin/deliveries/"+id+"/retry", f.root, "")
	if resp.StatusCode != 200 || !strings.Contains(body, `"state":"pending"`) {
		t.Fatalf("retry = %d %s", resp.StatusCode, body)
	}
	if diff := cmp.Diff([]int64{dead.ID}, f.queue.deliveries); diff != "" {
		t.Errorf("queued after retry (-want +got):\n%s", diff)
	}
	if resp, _ := f.call(t, "POST", "/api/v1/admin/deliveries/"+id+"/retry", f.root, ""); resp.StatusCode != http.StatusConflict {
		t.Errorf("retry of a pending delivery = %d, want 409", resp.StatusCode)
	}
	if resp, _ := f.call(t, "POST", "/api/v1/admin/deliveries/nope/retry", f.root, ""); resp.StatusCode != 400 {
		t.Errorf("retry of a bad id = %d, want 400", resp.StatusCode)
	}
	if _, body := f.call(t, "GET", "/api/v1/admin/deliveries?state=dead", f.root, ""); body != "[]" {
		t.Errorf("dead letters after retry = %s", body)
	}
}

package actors_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/plaudit/plaudit/federation/actors"
	"github.com/plaudit/plaudit/federation/httpsig"
)

const (
	fetcher      = "https://remote.example/actor"
	fetcherKeyID = fetcher + "#main-key"
	blocked      = "https://blocked.example/actor"
	blockedKeyID = blocked + "#main-key"
)

// afServer serves the actor endpoints on loopback with authorized fetch on
// or off; signed requests travel through Go's client as between servers.
func afServer(t *testing.T, on bool) *httptest.Server {
	t.Helper()
	testKeys(t)
	verifier, err := httpsig.NewVerifier(httpsig.Options{KeyResolver: fakeKeys{
		fetcherKeyID: {Key: &remoteKey.PublicKey, Owner: fetcher},
		blockedKeyID: {Key: &remoteKey.PublicKey, Owner: blocked},
	}})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(d *actors.Deps) {
		d.AuthorizedFetch, d.Verifier, d.Moderation = on, verifier, fakeModeration{blocked: true}
	})
	e.mustUser(t, aliceUser())
	e.mustActivity(t, activityRow("c1"), map[string]any{"id": base + "/objects/n1", "type": "Note"})
	srv := httptest.NewServer(e.engine)
	t.Cleanup(srv.Close)
	return srv
}

func TestAuthorizedFetch(t *testing.T) {
	srv := afServer(t, true)
	unknown, err := httpsig.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	sign := func(keyID string, withQuery bool) func(*http.Request) error {
		key := remoteKey
		if keyID == "https://unknown.example/actor#main-key" {
			key = unknown
		}
		return func(r *http.Request) error { return httpsig.NewSigner(keyID, key).SignGET(r, withQuery) }
	}
	unsigned := func(*http.Request) error { return nil }
	tests := []struct {
		name       string
		path       string
		sign       func(*http.Request) error
		wantStatus int
	}{
		{"unsigned followers", "/users/alice/followers", unsigned, 401},
		{"unsigned following page", "/users/alice/following?page=1", unsigned, 401},
		{"unsigned outbox", "/users/alice/outbox", unsigned, 401},
		{"unsigned activity", "/activities/c1", unsigned, 401},
		{"unsigned object", "/objects/n1", unsigned, 401},
		{"signed followers", "/users/alice/followers", sign(fetcherKeyID, true), 200},
		{"signed page with query", "/users/alice/followers?page=1", sign(fetcherKeyID, true), 200},
		{"signed page, query left out (double knock)", "/users/alice/followers?page=1", sign(fetcherKeyID, false), 200},
		{"signed activity", "/activities/c1", sign(fetcherKeyID, true), 200},
		{"signed object", "/objects/n1", sign(fetcherKeyID, true), 200},
		{"unknown key", "/users/alice/followers", sign("https://unknown.example/actor#main-key", true), 401},
		{"blocked signer", "/users/alice/followers", sign(blockedKeyID, true), 403},
		{"instance actor unsigned", "/actor", unsigned, 200},
		{"user actor unsigned", "/users/alice", unsigned, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			r.Header.Set("Accept", "application/activity+json")
			if err := tc.sign(r); err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(r)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if tc.wantStatus == http.StatusUnauthorized {
				var body struct{ Error string }
				if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || !strings.Contains(body.Error, "signed") {
					t.Errorf("401 body %+v (%v): want an error naming the signature", body, err)
				}
				if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Signature ") {
					t.Errorf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
				}
			}
		})
	}
}

func TestAuthorizedFetchOff(t *testing.T) {
	srv := afServer(t, false)
	for _, path := range []string{"/users/alice/followers", "/users/alice/outbox?page=1", "/activities/c1", "/objects/n1", "/actor"} {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("unsigned GET %s: status %d, want 200", path, resp.StatusCode)
		}
	}
}

func TestNewRefusesAuthorizedFetchWithoutVerifier(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New accepted AuthorizedFetch without a Verifier")
		}
	}()
	newEnv(t, func(d *actors.Deps) { d.AuthorizedFetch, d.Verifier = true, nil })
}

package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"

	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/web"
)

// TestPatchMe: PATCH /api/v1/me edits the token's user's profile through
// Deps.Profiles (here the accounts service itself) and answers with it.
func TestPatchMe(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	acc, err := accounts.New(st, accounts.Options{Argon2: &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}})
	if err != nil {
		t.Fatal(err)
	}
	h, err := web.New(web.Deps{Accounts: acc, Domain: "plaudit.test", BaseURL: "http://plaudit.test", BodyLimit: 1 << 16, Profiles: acc})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	if _, err := acc.CreateUser(ctx, "alice", "a long password", false); err != nil {
		t.Fatal(err)
	}
	token, err := acc.CreateToken(ctx, "alice", "test")
	if err != nil {
		t.Fatal(err)
	}
	patch := func(bearer, body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPatch, srv.URL+"/api/v1/me", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	status, body := patch(token, `{"display_name":"Alice L.","summary":"line one\nline two","manually_approves_followers":true}`)
	if status != http.StatusOK {
		t.Fatalf("PATCH = %d %s, want 200", status, body)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"username": "alice", "acct": "alice@plaudit.test", "admin": false,
		"display_name": "Alice L.", "summary": "line one\nline two", "manually_approves_followers": true,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("answer %s = %v, want %v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("answer = %v, want exactly the keys of %v", got, want)
	}

	for name, tc := range map[string]struct {
		bearer, body string
		want         int
		message      string
	}{
		"no token":              {"", `{"display_name":"x"}`, 401, "error"},
		"wrong token":           {"plt_wrong", `{"display_name":"x"}`, 401, "invalid bearer token"},
		"unknown field":         {token, `{"display_name":"x","avatar":"y"}`, 400, `unknown field`},
		"wrong type":            {token, `{"manually_approves_followers":"yes"}`, 400, "malformed profile"},
		"display name too long": {token, `{"display_name":"` + strings.Repeat("é", 101) + `"}`, 400, "at most 100"},
		"summary too long":      {token, `{"summary":"` + strings.Repeat("a", 2001) + `"}`, 400, "at most 2000"},
		"empty body":            {token, ``, 400, "empty"},
		"two objects":           {token, `{"summary":"a"}{"summary":"b"}`, 400, "one JSON object"},
	} {
		t.Run(name, func(t *testing.T) {
			status, body := patch(tc.bearer, tc.body)
			if status != tc.want || !strings.Contains(body, tc.message) {
				t.Fatalf("PATCH = %d %s, want %d with %q", status, body, tc.want, tc.message)
			}
		})
	}

	// The refused requests changed nothing.
	u, err := acc.Profile(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if u.DisplayName != "Alice L." || u.Summary != "line one\nline two" || !u.ManuallyApprovesFollowers {
		t.Fatalf("stored profile = %q %q %v, want the first PATCH's", u.DisplayName, u.Summary, u.ManuallyApprovesFollowers)
	}
}

// TestPatchMeNeedsProfiles: without Deps.Profiles there is no PATCH.
func TestPatchMeNeedsProfiles(t *testing.T) {
	f := newFixture(t, nil)
	req, _ := http.NewRequest(http.MethodPatch, f.srv.URL+"/api/v1/me", strings.NewReader(`{}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("PATCH without Profiles = %d, want 405", resp.StatusCode)
	}
}

package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/moderation"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/web"
)

// noFollowRequests answers the follow request routes with nothing to do.
type noFollowRequests struct{}

func (noFollowRequests) FollowRequests(context.Context, string) ([]app.Follow, error) {
	return nil, nil
}

func (noFollowRequests) DecideFollowRequest(context.Context, string, int64, bool) error { return nil }

// echoOutbox accepts every activity.
type echoOutbox struct{}

func (echoOutbox) Submit(_ context.Context, u *app.User, body []byte) (*app.Activity, error) {
	return &app.Activity{URI: "http://plaudit.test/activities/1", Document: string(body)}, nil
}

// newScopeServer serves every API route, with users alice and root (an
// admin).
func newScopeServer(t *testing.T) *server {
	t.Helper()
	s := newServer(t, nil, func(d *web.Deps, acc *accounts.Service, st *store.Store) {
		d.Profiles = acc
		d.FollowRequests = noFollowRequests{}
		d.Outbox = echoOutbox{}
		d.Moderation = moderation.New(st, "http://plaudit.test/actor")
	})
	s.mustUser(t, "alice", false)
	s.mustUser(t, "root", true)
	return s
}

// TestRoutesCheckScopes sends tokens with various scopes to every API
// route: a token reaches a route only with the scope the route asks for
// (or one above it); otherwise 403 naming the scope.
func TestRoutesCheckScopes(t *testing.T) {
	s := newScopeServer(t)
	type route struct{ method, path, body string }
	var (
		getMe         = route{"GET", "/api/v1/me", ""}
		patchMe       = route{"PATCH", "/api/v1/me", `{"display_name":"A"}`}
		listFollowReq = route{"GET", "/api/v1/follow_requests", ""}
		authorize     = route{"POST", "/api/v1/follow_requests/1/authorize", ""}
		listTokens    = route{"GET", "/api/v1/tokens", ""}
		outbox        = route{"POST", "/users/alice/outbox", `{"type":"Like","object":"https://m.example/notes/1"}`}
		adminRead     = route{"GET", "/api/v1/admin/domain_blocks", ""}
		adminWrite    = route{"POST", "/api/v1/admin/invites", ""}
	)
	tokens := map[string]string{}
	token := func(user, scopes string) string {
		key := user + "|" + scopes
		if _, ok := tokens[key]; !ok {
			tokens[key] = s.mustToken(t, user, scopes)
		}
		return tokens[key]
	}
	for name, tc := range map[string]struct {
		user, scopes string
		r            route
		want         int
	}{
		"read reads me":                      {"alice", "read", getMe, 200},
		"read:accounts reads me":             {"alice", "read:accounts", getMe, 200},
		"profile reads me":                   {"alice", "profile", getMe, 200},
		"read:statuses does not read me":     {"alice", "read:statuses", getMe, 403},
		"write does not read me":             {"alice", "write", getMe, 403},
		"write edits me":                     {"alice", "write", patchMe, 200},
		"write:accounts edits me":            {"alice", "write:accounts", patchMe, 200},
		"read does not edit me":              {"alice", "read", patchMe, 403},
		"profile does not edit me":           {"alice", "profile", patchMe, 403},
		"read lists follow requests":         {"alice", "read", listFollowReq, 200},
		"read:follows lists follow requests": {"alice", "read:follows", listFollowReq, 200},
		"follow lists follow requests":       {"alice", "follow", listFollowReq, 200},
		"write cannot list follow requests":  {"alice", "write", listFollowReq, 403},
		"follow authorizes":                  {"alice", "follow", authorize, 204},
		"write authorizes":                   {"alice", "write", authorize, 204},
		"write:follows authorizes":           {"alice", "write:follows", authorize, 204},
		"read:follows cannot authorize":      {"alice", "read:follows", authorize, 403},
		"read:accounts lists tokens":         {"alice", "read:accounts", listTokens, 200},
		"write cannot list tokens":           {"alice", "write", listTokens, 403},
		"write posts to the outbox":          {"alice", "write", outbox, 201},
		"write:favourites cannot post":       {"alice", "write:favourites", outbox, 403},
		"read cannot post":                   {"alice", "read", outbox, 403},
		"default scopes post":                {"alice", "", outbox, 201},
		"admin:read reads admin":             {"root", "admin:read", adminRead, 200},
		"admin sub-scope is not admin:read":  {"root", "admin:read:domain_blocks", adminRead, 403},
		"admin:write does not read admin":    {"root", "admin:write", adminRead, 403},
		"read does not read admin":           {"root", "read write follow", adminRead, 403},
		"admin:write writes admin":           {"root", "admin:write", adminWrite, 201},
		"admin:read does not write admin":    {"root", "admin:read", adminWrite, 403},
		"default admin token is no admin":    {"root", "", adminWrite, 403},
	} {
		t.Run(name, func(t *testing.T) {
			resp, body := s.do(t, tc.r.method, tc.r.path, token(tc.user, tc.scopes), tc.r.body, nil)
			if resp.StatusCode != tc.want {
				t.Fatalf("%s %s with %q = %d %s, want %d", tc.r.method, tc.r.path, tc.scopes, resp.StatusCode, body, tc.want)
			}
			if tc.want == http.StatusForbidden {
				if !strings.Contains(body, "this token lacks the scope") {
					t.Errorf("403 body %s does not name the missing scope", body)
				}
				if h := resp.Header.Get("WWW-Authenticate"); !strings.Contains(h, `error="insufficient_scope"`) {
					t.Errorf("WWW-Authenticate = %q, want insufficient_scope", h)
				}
			}
		})
	}
}

// TestAdminScopeStillNeedsAnAdmin: a token issued with admin scopes stops
// reaching admin routes for a user who is not (any longer) an admin.
func TestAdminScopeStillNeedsAnAdmin(t *testing.T) {
	s := newScopeServer(t)
	tok := s.mustToken(t, "root", "admin:read")
	if err := s.st.DB().Exec("UPDATE users SET admin = ? WHERE username = 'root'", false).Error; err != nil {
		t.Fatal(err)
	}
	if resp, body := s.do(t, "GET", "/api/v1/admin/domain_blocks", tok, "", nil); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "only admins") {
		t.Fatalf("admin:read token of a former admin = %d %s, want 403 only admins", resp.StatusCode, body)
	}
}

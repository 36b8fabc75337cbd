package web_test

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/web"
)

const queuesScript = `window.FLAG_ROOT_PATH="/admin/queues"`

// queuesUI stands in for asynqmon: a page with an inline script, and an
// API that counts the changes it was asked for. Like asynqmon it writes
// its page without a Content-Type.
type queuesUI struct{ deletes int }

func (q *queuesUI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodDelete {
		q.deletes++
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/admin/queues/api/") {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"queues":[]}`)
		return
	}
	_, _ = io.WriteString(w, `<!doctype html><html><head><script>`+queuesScript+`</script><script src="/admin/queues/static/main.js"></script></head><body></body></html>`)
}

func TestQueuesUIIsForAdminsWithItsScriptsHashed(t *testing.T) {
	ui := &queuesUI{}
	f := &adminFixture{}
	f.server = newServer(t, nil, func(d *web.Deps, _ *accounts.Service, _ *store.Store) {
		d.Admin = web.AdminPages{Queues: ui}
	})
	f.mustUser(t, "alice", true)
	f.mustUser(t, "bob", false)
	alice, bob := f.signIn(t, "alice"), f.signIn(t, "bob")

	resp := postlessGet(t, browser(t), f.srv.URL+"/admin/queues/")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Errorf("signed out = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := postlessGet(t, bob, f.srv.URL+"/admin/queues/api/queues"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("bob = %d, want 403", resp.StatusCode)
	}

	resp = postlessGet(t, alice, f.srv.URL+"/admin/queues")
	sum := sha256.Sum256([]byte(queuesScript))
	csp := resp.Header.Get("Content-Security-Policy")
	script := csp[strings.Index(csp, "script-src"):]
	script, _, _ = strings.Cut(script, ";")
	if resp.StatusCode != http.StatusOK || !strings.Contains(script, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") ||
		strings.Contains(script, "unsafe-inline") || !strings.Contains(script, "'self'") {
		t.Errorf("queues page = %d, CSP %q", resp.StatusCode, csp)
	}

	del := func(header http.Header) int {
		req, _ := http.NewRequest(http.MethodDelete, f.srv.URL+"/admin/queues/api/queues/default", nil)
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := alice.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	u, _ := url.Parse(f.srv.URL)
	for name, h := range map[string]http.Header{
		"no origin":    nil,
		"cross-site":   {"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}},
		"other origin": {"Origin": {"https://evil.example"}},
	} {
		if got := del(h); got != http.StatusForbidden {
			t.Errorf("DELETE with %s = %d, want 403", name, got)
		}
	}
	if ui.deletes != 0 {
		t.Fatalf("refused requests reached the UI %d times", ui.deletes)
	}
	if got := del(http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {"http://" + u.Host}}); got != http.StatusNoContent || ui.deletes != 1 {
		t.Errorf("same-origin DELETE = %d, deletes %d", got, ui.deletes)
	}
}

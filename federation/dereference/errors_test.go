package dereference

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/dereference/dereftest"
	"github.com/plaudit/plaudit/federation/transport"
)

// closedURL is an http URL on 127.0.0.1 where nothing listens.
func closedURL(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		tb.Fatal(err)
	}
	return "http://" + addr
}

// fetchCase is a remote failure and what a fetch of it must report.
type fetchCase struct {
	name     string
	resp     *dereftest.Response // served at the path; nil serves nothing there
	base     string              // "" is the Remote's URL
	wantCode string
	wantMsg  string // the safe message; "%s" stands for the URI fetched
	stale    bool   // whether a stale copy may stand in (a fetchError)
	status   int    // the remote status kept in the chain, 0 for none
}

// fetchCases are the failures every fetch of a what ("actor", "object")
// classifies.
func fetchCases(what string) []fetchCase {
	return []fetchCase{
		{"remote 500", &dereftest.Response{Status: http.StatusInternalServerError}, "", app.EUNAVAILABLE,
			"fetching %s failed: remote answered 500", true, 500},
		{"remote 503", &dereftest.Response{Status: http.StatusServiceUnavailable}, "", app.EUNAVAILABLE,
			"fetching %s failed: remote answered 503", true, 503},
		{"remote refuses our signature", &dereftest.Response{Status: http.StatusUnauthorized}, "", app.EUNAVAILABLE,
			"fetching %s failed: remote answered 401", true, 401},
		{"remote 404", nil, "", app.ENOTFOUND, what + " %s was not found on its server", false, 404},
		{"remote 410", &dereftest.Response{Status: http.StatusGone}, "", app.ENOTFOUND,
			what + " %s is gone from its server", false, 410},
		{"timeout", &dereftest.Response{Hang: true}, "", app.EUNAVAILABLE,
			"fetching %s failed: remote did not answer in time", true, 0},
		{"connection refused", nil, "closed", app.EUNAVAILABLE,
			"fetching %s failed: could not connect to its server", true, 0},
		{"document too large", &dereftest.Response{Body: bytes.Repeat([]byte(" "), transport.DefaultMaxBodyBytes+1)}, "",
			app.EUNAVAILABLE, "fetching %s failed: remote answered a document too large", true, 0},
		{"not a URL we fetch", nil, "ftp://127.0.0.1", app.EINVALID,
			"fetching %s failed: not a URL that may be fetched (https, with a host)", true, 0},
		{"not a document", &dereftest.Response{Body: []byte(`{"type":`)}, "", app.EINVALID,
			"the document at %s is not an " + what, false, 0},
	}
}

// newFailureEnv is an env whose client gives up quickly, with the instance
// key made beforehand so that its making does not eat the timeout.
func newFailureEnv(tb testing.TB) *env {
	tb.Helper()
	e := newEnvTimeout(tb, 300*time.Millisecond)
	if _, err := e.keys.Instance(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return e
}

// checkFetchError asserts that err is what tc says.
func checkFetchError(t *testing.T, tc fetchCase, uri string, err error) {
	t.Helper()
	if got := app.ErrorCode(err); got != tc.wantCode {
		t.Fatalf("code %q, want %q (err %v)", got, tc.wantCode, err)
	}
	want := strings.Replace(tc.wantMsg, "%s", uri, 1)
	if got := app.ErrorMessage(err); got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	if fetchFailed(err) != tc.stale {
		t.Errorf("fetchFailed = %v, want %v: a stale copy may stand in only for a failed fetch", fetchFailed(err), tc.stale)
	}
	var se *transport.StatusError
	if got := errors.As(err, &se); got != (tc.status != 0) || (got && se.StatusCode != tc.status) {
		t.Errorf("remote status in the chain: %v (%+v), want %d", got, se, tc.status)
	}
}

// failingURI is the URI of path on a server that fails as tc says: a
// fresh Remote answering tc.resp, a closed port, or tc.base itself.
func failingURI(t *testing.T, tc fetchCase, path string) string {
	t.Helper()
	remote := dereftest.NewRemote(t)
	base := remote.URL
	switch tc.base {
	case "closed":
		base = closedURL(t)
	case "":
	default:
		base = tc.base
	}
	if tc.resp != nil {
		remote.Handle(path, *tc.resp)
	}
	return base + path
}

func TestActorFetchFailures(t *testing.T) {
	// One env for all cases: each has its own Remote, so its own URIs.
	e := newFailureEnv(t)
	for _, tc := range fetchCases("actor") {
		t.Run(tc.name, func(t *testing.T) {
			uri := failingURI(t, tc, "/users/x")
			a, err := e.fetcher.Actor(context.Background(), uri, false)
			if err == nil {
				t.Fatalf("Actor = %+v, want an error", a)
			}
			checkFetchError(t, tc, uri, err)
			assertNoActor(t, e.store, uri)
		})
	}
}

func TestObjectFetchFailures(t *testing.T) {
	// One env for all cases: each has its own Remote, so its own URIs.
	e := newFailureEnv(t)
	for _, tc := range fetchCases("object") {
		t.Run(tc.name, func(t *testing.T) {
			uri := failingURI(t, tc, "/notes/1")
			o, err := e.fetcher.Object(context.Background(), uri)
			if err == nil {
				t.Fatalf("Object = %+v, want an error", o)
			}
			checkFetchError(t, tc, uri, err)
			if _, err := e.store.RemoteObjectByURI(context.Background(), uri); !errors.Is(err, app.ErrNotFound) {
				t.Errorf("object stored after a failed fetch (err %v)", err)
			}
		})
	}
}

// A remote failure still lets a stale copy stand in, and a 404 of a copy
// we hold marks it deleted: classifying the errors changed neither.
func TestObjectStaleCopyAndGoneAfterClassification(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	remote := dereftest.NewRemote(t)
	uri := remote.URL + "/notes/1"
	remote.Serve("/notes/1", []byte(`{"id":"`+uri+`","type":"Note","attributedTo":"`+remote.URL+`/users/x","content":"hi"}`))
	if _, err := e.fetcher.Object(ctx, uri); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Hour)
	remote.Handle("/notes/1", dereftest.Response{Status: http.StatusInternalServerError})
	if o, err := e.fetcher.Object(ctx, uri); err != nil || o.URI != uri {
		t.Fatalf("stale copy on a remote 500: %+v, %v", o, err)
	}
	remote.Handle("/notes/1", dereftest.Response{Status: http.StatusNotFound})
	// The failed fetch left the copy as old as it was: the next fetch
	// sees the 404.
	if _, err := e.fetcher.Object(ctx, uri); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("404 of a stored object: err %v, want not found", err)
	}
	o, err := e.store.RemoteObjectByURI(ctx, uri)
	if err != nil || o.DeletedAt == nil {
		t.Fatalf("object after its 404: %+v, %v; want marked deleted", o, err)
	}
}

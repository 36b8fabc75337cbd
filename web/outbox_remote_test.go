package web_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/dereference"
	"github.com/plaudit/plaudit/federation/dereference/dereftest"
	"github.com/plaudit/plaudit/federation/keys"
	"github.com/plaudit/plaudit/federation/transport"
)

// newFetchingFedFixture is a fedFixture whose outbox fetches remote actors
// and objects for real, with a client that gives up after 300 ms.
func newFetchingFedFixture(t *testing.T) *fedFixture {
	t.Helper()
	return newFedFixtureWith(t, func(st *store.Store, urls federation.URLs) fedResolver {
		kr := keys.New(st, urls)
		// Made beforehand, so that making it does not eat the timeout.
		if _, err := kr.Instance(context.Background()); err != nil {
			t.Fatal(err)
		}
		client := transport.New(transport.Options{AllowHTTP: true, AllowPrivateAddresses: true,
			Timeout: 300 * time.Millisecond, Signer: dereference.NewInstanceSigner(kr)})
		t.Cleanup(client.CloseIdleConnections)
		return dereference.New(dereference.Deps{Store: st, Keys: kr, Client: client, URLs: urls})
	})
}

// closedBase is an http base URL on 127.0.0.1 where nothing listens.
func closedBase(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "http://" + l.Addr().String()
}

// TestPostOutboxRemoteFailure: a Like or Follow whose remote object or
// actor cannot be fetched is answered with what failed, 502 when the
// remote server did, 404 when the thing is not there, 400 when it is not
// what it should be; and nothing is stored or sent.
func TestPostOutboxRemoteFailure(t *testing.T) {
	f := newFetchingFedFixture(t)
	remote := dereftest.NewRemote(t)
	closed := closedBase(t)
	tests := []struct {
		name       string
		resp       *dereftest.Response // nil: the remote has nothing there
		closed     bool                // nothing listens at the remote's address
		wantStatus int
		wantMsg    string // %s is the id of the object or actor
	}{
		{"remote 500", &dereftest.Response{Status: http.StatusInternalServerError}, false, http.StatusBadGateway,
			"fetching %s failed: remote answered 500"},
		{"remote 404", nil, false, http.StatusNotFound, "%k %s was not found on its server"},
		{"remote 410", &dereftest.Response{Status: http.StatusGone}, false, http.StatusNotFound, "%k %s is gone from its server"},
		{"timeout", &dereftest.Response{Hang: true}, false, http.StatusBadGateway,
			"fetching %s failed: remote did not answer in time"},
		{"connection refused", nil, true, http.StatusBadGateway, "fetching %s failed: could not connect to its server"},
		{"not a document", &dereftest.Response{Body: []byte(`{"type":`)}, false, http.StatusBadRequest,
			"the document at %s is not an %k"},
	}
	kinds := []struct{ activity, kind, path string }{
		{"Like", "object", "/notes/"},
		{"Follow", "actor", "/users/"},
	}
	for i, tc := range tests {
		for _, k := range kinds {
			t.Run(k.activity+" "+tc.name, func(t *testing.T) {
				base := remote.URL
				if tc.closed {
					base = closed
				}
				path := k.path + string(rune('a'+i))
				if tc.resp != nil {
					remote.Handle(path, *tc.resp)
				}
				id := base + path
				resp, body := f.call(t, http.MethodPost, "/users/alice/outbox", f.alice,
					`{"type":"`+k.activity+`","object":"`+id+`"}`)
				want := strings.NewReplacer("%s", id, "%k", k.kind).Replace(tc.wantMsg)
				if resp.StatusCode != tc.wantStatus || !strings.Contains(body, `"error":"`+want+`"`) {
					t.Fatalf("POST %s of %s = %d %s, want %d with %q", k.activity, id, resp.StatusCode, body, tc.wantStatus, want)
				}
			})
		}
	}
	models := []any{&app.Activity{}, &app.Like{}, &app.Follow{}, &app.Delivery{}, &app.RemoteActor{}, &app.RemoteObject{}}
	for _, model := range models {
		if n := countRows(t, f.st, model); n != 0 {
			t.Errorf("%d %T rows stored after failed posts, want 0", n, model)
		}
	}
	for _, table := range []string{"flattrs", "things"} {
		if n := countRows(t, f.st, table); n != 0 {
			t.Errorf("%d %s rows stored after failed posts, want 0", n, table)
		}
	}
	if len(f.queue.deliveries) != 0 {
		t.Errorf("%d deliveries enqueued, want 0", len(f.queue.deliveries))
	}

	// The same fixture stores and sends a Like of an object that can be
	// fetched: the counts above could have been otherwise.
	author := remote.URL + "/users/ok"
	remote.Serve("/users/ok", mustJSON(t, as2.ActorDocument(as2.ActorSpec{ID: author, PreferredUsername: "ok", Inbox: author + "/inbox",
		PublicKeyID: author + "#main-key", PublicKeyPEM: dereftest.PublicPEM(t, dereftest.Key("ok"))})))
	remote.Serve("/notes/ok", []byte(`{"id":"`+remote.URL+`/notes/ok","type":"Note","attributedTo":"`+author+`","content":"hi"}`))
	resp, body := f.call(t, http.MethodPost, "/users/alice/outbox", f.alice, `{"type":"Like","object":"`+remote.URL+`/notes/ok"}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("Like of a fetchable object = %d %s", resp.StatusCode, body)
	}
	if n := countRows(t, f.st, "flattrs"); n != 1 {
		t.Errorf("%d flattrs after a good Like, want 1", n)
	}
}

// countRows counts the rows of model's table (or of the table named by a
// string).
func countRows(t *testing.T, st *store.Store, model any) int64 {
	t.Helper()
	q := st.DB().Model(model)
	if table, ok := model.(string); ok {
		q = st.DB().Table(table)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func mustJSON(t *testing.T, d as2.Document) []byte {
	t.Helper()
	b, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

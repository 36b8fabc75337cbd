package dereference

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/dereference/dereftest"
)

func TestObjectFetchesAndCaches(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	remote := dereftest.NewRemote(t)
	hosts := map[string]string{"https://peertube.example": remote.URL}
	video := dereftest.Fixture(t, "peertube_video.json", hosts)
	id := remote.URL + "/videos/watch/5f1c7a2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b"
	remote.Serve("/videos/watch/5f1c7a2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b", video)

	o, err := e.fetcher.Object(ctx, id)
	if err != nil {
		t.Fatalf("Object: %v", err)
	}
	if o.URI != id || o.Type != "Video" || o.Name != "Opening a hive in spring" || o.AttributedTo == "" || !o.Public || o.PublishedAt == nil {
		t.Errorf("object = %+v", o)
	}
	if _, err := e.fetcher.Object(ctx, id); err != nil {
		t.Fatal(err)
	}
	if n := remote.Total(); n != 1 {
		t.Errorf("%d requests, want 1 (second from the store)", n)
	}
	e.clock.Advance(2 * time.Hour)
	// UpdatedAt is set by the store at real time; MaxAge is an hour.
	if _, err := e.fetcher.Object(ctx, id); err != nil {
		t.Fatal(err)
	}
	if n := remote.Total(); n != 2 {
		t.Errorf("%d requests, want 2 (expired copy refetched)", n)
	}
}

func TestObjectRefusals(t *testing.T) {
	remote := dereftest.NewRemote(t)
	other := dereftest.NewRemote(t)
	base := remote.URL
	remote.Serve("/notes/spoof", []byte(`{"id":"`+base+`/notes/spoof","type":"Note","attributedTo":"`+other.URL+`/users/x","content":"hi"}`))
	remote.Serve("/notes/claims", []byte(`{"id":"`+base+`/notes/other","type":"Note","attributedTo":"`+base+`/users/x"}`))
	remote.Serve("/users/x", actorDoc(t, base+"/users/x", base+"/users/x#main-key", "dan"))
	remote.Handle("/notes/gone", dereftest.Response{Status: http.StatusGone})
	remote.Serve("/notes/bad", []byte(`{"type":`))

	tests := []struct {
		name     string
		uri      string
		wantCode string
	}{
		{"attributed to another host", base + "/notes/spoof", app.EINVALID},
		{"claims another id", base + "/notes/claims", app.EINVALID},
		{"an actor", base + "/users/x", app.EINVALID},
		{"gone", base + "/notes/gone", app.ENOTFOUND},
		{"malformed", base + "/notes/bad", app.EINVALID},
		{"local object", localBase + "/objects/1", app.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := e.fetcher.Object(context.Background(), tt.uri)
			if errCode(err) != tt.wantCode {
				t.Fatalf("err = %v, want code %s", err, tt.wantCode)
			}
			if _, err := e.store.RemoteObjectByURI(context.Background(), tt.uri); !errors.Is(err, app.ErrNotFound) {
				t.Errorf("refused object stored (err %v)", err)
			}
		})
	}
}

func TestObjectGoneMarksDeleted(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	remote := dereftest.NewRemote(t)
	id := remote.URL + "/notes/1"
	remote.Serve("/notes/1", []byte(`{"id":"`+id+`","type":"Note","attributedTo":"`+remote.URL+`/users/x","content":"hi"}`))
	if _, err := e.fetcher.Object(ctx, id); err != nil {
		t.Fatal(err)
	}
	remote.Handle("/notes/1", dereftest.Response{Status: http.StatusGone})
	e.clock.Advance(2 * time.Hour)
	if _, err := e.fetcher.Object(ctx, id); errCode(err) != app.ENOTFOUND {
		t.Fatalf("err = %v, want not found", err)
	}
	o, err := e.store.RemoteObjectByURI(ctx, id)
	if err != nil || o.DeletedAt == nil {
		t.Fatalf("gone object not marked deleted: %+v, %v", o, err)
	}
	if _, err := e.fetcher.Object(ctx, id); errCode(err) != app.ENOTFOUND {
		t.Fatalf("deleted object: err = %v, want not found", err)
	}
	if n := remote.Hits("/notes/1"); n != 2 {
		t.Errorf("a deleted object was fetched again: %d requests", n)
	}
}

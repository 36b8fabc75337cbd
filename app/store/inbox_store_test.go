package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store/storetest"
)

func TestRemoteObjects(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	uri := "https://remote.example/notes/1"
	if _, err := s.RemoteObjectByURI(ctx, uri); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("missing object: %v, want not found", err)
	}
	o := &app.RemoteObject{URI: uri, Type: "Note", AttributedTo: "https://remote.example/users/a", Content: "v1", Document: "{}"}
	if err := s.UpsertRemoteObject(ctx, o); err != nil || o.ID == 0 {
		t.Fatalf("insert: %v (id %d)", err, o.ID)
	}
	if found, err := s.MarkRemoteObjectDeleted(ctx, uri, time.Now()); err != nil || !found {
		t.Fatalf("delete: %v, %v", found, err)
	}
	if found, err := s.MarkRemoteObjectDeleted(ctx, uri, time.Now()); err != nil || found {
		t.Fatalf("second delete: %v, %v; want false", found, err)
	}
	again := &app.RemoteObject{URI: uri, Type: "Note", Content: "v2", Document: "{}"}
	if err := s.UpsertRemoteObject(ctx, again); err != nil {
		t.Fatal(err)
	}
	got, err := s.RemoteObjectByURI(ctx, uri)
	if err != nil || got.ID != o.ID || got.Content != "v2" || got.DeletedAt != nil {
		t.Fatalf("after refresh: %+v, %v; want the same row, updated and not deleted", got, err)
	}
}

func TestLikes(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	alice, bob := "https://remote.example/users/alice", "https://remote.example/users/bob"
	thing := "https://plaudit.example/objects/1"
	like := func(id, actor string) *app.Like {
		return &app.Like{ActivityURI: id, ActorURI: actor, ObjectURI: thing, Content: "🎉"}
	}
	steps := []struct {
		name string
		do   func() (bool, error)
		want bool
	}{
		{"first like", func() (bool, error) { return s.InsertLike(ctx, like(alice+"#l1", alice)) }, true},
		{"same activity again", func() (bool, error) { return s.InsertLike(ctx, like(alice+"#l1", alice)) }, false},
		{"a second like of the same object", func() (bool, error) { return s.InsertLike(ctx, like(alice+"#l9", alice)) }, false},
		{"bob likes too", func() (bool, error) { return s.InsertLike(ctx, like(bob+"#l1", bob)) }, true},
		{"bob cannot remove alice's like", func() (bool, error) { return s.DeleteLikeByActivity(ctx, bob, alice+"#l1") }, false},
		{"alice removes hers", func() (bool, error) { return s.DeleteLikeByActivity(ctx, alice, alice+"#l1") }, true},
		{"bob removes his by object", func() (bool, error) { return s.DeleteLikeOf(ctx, bob, thing) }, true},
		{"nothing left to remove", func() (bool, error) { return s.DeleteLikeOf(ctx, bob, thing) }, false},
	}
	for _, st := range steps {
		got, err := st.do()
		if err != nil || got != st.want {
			t.Fatalf("%s: %v, %v; want %v", st.name, got, err, st.want)
		}
	}
	if _, err := s.InsertLike(ctx, like(alice+"#l2", alice)); err != nil {
		t.Fatal(err)
	}
	if n, err := s.CountLikes(ctx, thing); err != nil || n != 1 {
		t.Fatalf("CountLikes = %d, %v; want 1", n, err)
	}
	l, err := s.LikeByActivityURI(ctx, alice+"#l2")
	if err != nil || l.Content != "🎉" || l.CreatedAt.IsZero() {
		t.Fatalf("LikeByActivityURI = %+v, %v", l, err)
	}
}

func TestFollowByID(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	f := &app.Follow{ActivityURI: "https://r.example/f/1", FollowerURI: "https://r.example/users/a",
		FolloweeURI: "https://plaudit.example/users/carol", State: app.FollowPending}
	if err := s.UpsertFollow(ctx, f); err != nil {
		t.Fatal(err)
	}
	got, err := s.FollowByID(ctx, f.ID)
	if err != nil || got.ActivityURI != f.ActivityURI {
		t.Fatalf("FollowByID = %+v, %v", got, err)
	}
	if _, err := s.FollowByID(ctx, f.ID+1); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("missing follow: %v, want not found", err)
	}
}

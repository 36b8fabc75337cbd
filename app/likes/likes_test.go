package likes_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/likes"
	"github.com/plaudit/plaudit/app/store/storetest"
)

const base = "https://p.example"

type urls struct{}

func (urls) Actor(name string) string { return base + "/users/" + name }
func (urls) IsLocal(uri string) bool  { return strings.HasPrefix(uri, base+"/") }

type authors struct{}

func (authors) AuthorOf(_ context.Context, uri string) (string, error) {
	if strings.HasPrefix(uri, "https://r.example/notes/") {
		return "https://r.example/u/bob", nil
	}
	return "", app.Errorf(app.ENOTFOUND, "no object %s", uri)
}

type outbox struct {
	likes []string
	fail  error
}

func (o *outbox) SendLike(_ context.Context, l *app.Like, author string) (*app.Activity, error) {
	if o.fail != nil {
		return nil, o.fail
	}
	l.ActivityURI = base + "/activities/like-" + l.ObjectURI
	o.likes = append(o.likes, l.ObjectURI+" → "+author)
	return &app.Activity{URI: l.ActivityURI}, nil
}

func (o *outbox) SendUndoLike(context.Context, string, string) (*app.Activity, error) {
	return &app.Activity{}, o.fail
}

// TestLikeOnceAtomically: a like and its Like activity are stored
// together; a second like of the same object is a conflict that sends
// nothing; a like that cannot be sent is not stored.
func TestLikeOnceAtomically(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	o := &outbox{}
	svc := likes.New(likes.Deps{Tx: st, Store: st, Authors: authors{}, Outbox: o, URLs: urls{}})
	note := "https://r.example/notes/1"

	o.fail = errors.New("queue table gone")
	if _, err := svc.Like(ctx, "alice", note, ""); err == nil {
		t.Fatal("Like succeeded although the Like could not be published")
	}
	if _, err := st.LikeByPair(ctx, base+"/users/alice", note); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("like stored without its activity: %v", err)
	}
	o.fail = nil
	if _, err := svc.Like(ctx, "alice", note, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Like(ctx, "alice", note, ""); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("second like: %v, want conflict", err)
	}
	if len(o.likes) != 1 || o.likes[0] != note+" → https://r.example/u/bob" {
		t.Fatalf("sent %v, want one Like to bob", o.likes)
	}
	if _, err := svc.Like(ctx, "alice", "https://r.example/gone", ""); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("like of an unknown object: %v, want not found", err)
	}
}

// TestReceiveOnlyLocalObjects: a remote Like counts only for local
// objects, and is kept once.
func TestReceiveOnlyLocalObjects(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	svc := likes.New(likes.Deps{Tx: st, Store: st, URLs: urls{}})
	bob := "https://r.example/u/bob"
	local := base + "/objects/1"
	for range 2 {
		if ok, err := svc.Receive(ctx, likes.Received{ActivityURI: "https://r.example/l/1", ActorURI: bob, ObjectURI: local}); !ok || err != nil {
			t.Fatalf("Receive = %v, %v", ok, err)
		}
	}
	if n, err := st.CountLikes(ctx, local); err != nil || n != 1 {
		t.Fatalf("%d likes stored (%v), want 1", n, err)
	}
	if ok, err := svc.Receive(ctx, likes.Received{ActivityURI: "https://r.example/l/2", ActorURI: bob, ObjectURI: "https://x.example/n"}); ok || err != nil {
		t.Fatalf("like of a remote object: %v, %v; want ignored", ok, err)
	}
	if err := svc.Unliked(ctx, bob, "", local); err != nil {
		t.Fatal(err)
	}
	if n, _ := st.CountLikes(ctx, local); n != 0 {
		t.Fatalf("%d likes after the undo", n)
	}
}

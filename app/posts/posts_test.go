package posts_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/posts"
	"github.com/plaudit/plaudit/app/store/storetest"
)

const base = "https://p.example"

type urls struct{}

func (urls) Actor(name string) string     { return base + "/users/" + name }
func (urls) Followers(name string) string { return base + "/users/" + name + "/followers" }

type outbox struct {
	extra []string
	fail  error
	n     int
}

func (o *outbox) SendCreate(_ context.Context, p *app.Post, extra []string) (*app.Activity, error) {
	if o.fail != nil {
		return nil, o.fail
	}
	o.n++
	p.URI = base + "/objects/" + string(rune('a'+o.n))
	p.ActivityURI = base + "/activities/" + string(rune('a'+o.n))
	o.extra = extra
	return &app.Activity{URI: p.ActivityURI}, nil
}

func TestPublish(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	o := &outbox{}
	svc := posts.New(posts.Deps{Tx: st, Store: st, Outbox: o, URLs: urls{}})

	p, _, err := svc.Publish(ctx, "alice", posts.Draft{Type: app.PostNote, Content: "<p>hi</p>"})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := st.PostByURI(ctx, p.URI)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{[]string{posts.PublicCollection}, []string{base + "/users/alice/followers"}, true, "<p>hi</p>", base + "/users/alice"}
	if diff := cmp.Diff(want, []any{stored.To, stored.Cc, stored.Public, stored.Content, stored.AuthorURI}); diff != "" {
		t.Errorf("stored post with the default audience (-want +got):\n%s", diff)
	}

	p, _, err = svc.Publish(ctx, "alice", posts.Draft{Type: app.PostArticle, Name: "T", To: []string{"https://r.example/u/c"}, Bcc: []string{"https://r.example/u/d"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Public || len(o.extra) != 1 || o.extra[0] != "https://r.example/u/d" {
		t.Errorf("direct article: public %v, blind recipients %v", p.Public, o.extra)
	}
	if stored, _ = st.PostByURI(ctx, p.URI); len(stored.Cc) != 0 || stored.Name != "T" {
		t.Errorf("stored %+v: bcc must not be kept", stored)
	}

	if _, _, err := svc.Publish(ctx, "alice", posts.Draft{Type: "Question"}); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("a Question: %v, want invalid", err)
	}
	o.fail = errors.New("no database")
	before := o.n
	if _, _, err := svc.Publish(ctx, "alice", posts.Draft{Type: app.PostNote, Content: "lost"}); err == nil || o.n != before {
		t.Fatalf("a post whose Create failed: %v", err)
	}
}

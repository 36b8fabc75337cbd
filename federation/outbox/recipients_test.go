package outbox_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/outbox"
)

// slowActors resolves every actor on slow.example after a pause, counting
// how many resolutions run at once; those on never.example never resolve
// until the context ends.
type slowActors struct {
	pause     time.Duration
	now, most atomic.Int32
}

func (s *slowActors) Actor(ctx context.Context, uri string, _ bool) (*app.RemoteActor, error) {
	n := s.now.Add(1)
	defer s.now.Add(-1)
	for {
		m := s.most.Load()
		if n <= m || s.most.CompareAndSwap(m, n) {
			break
		}
	}
	if strings.Contains(uri, "never.example") {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	select {
	case <-time.After(s.pause):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return newRemote(uri, ""), nil
}

// TestRecipientsAreBounded: an activity may address at most
// MaxRecipients actors; they are resolved several at a time; one that is
// not resolved in time is left out without failing the rest.
func TestRecipientsAreBounded(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	slow := &slowActors{pause: 50 * time.Millisecond}
	pub := outbox.New(outbox.Deps{Tx: e.st, Store: e.st, Actors: slow, Objects: e.objects, Queue: e.queue, URLs: e.urls})
	note := func() as2.Document {
		return as2.Document{"id": e.urls.Activity(fmt.Sprint(time.Now().UnixNano())), "type": "Create", "actor": e.urls.Actor("alice"),
			"object": map[string]any{"type": "Note", "content": "hi"}}
	}
	recipients := func(host string, n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("https://%s/users/u%d", host, i))
		}
		return out
	}
	if _, err := pub.Publish(ctx, e.urls.Actor("alice"), note(), recipients("slow.example", outbox.MaxRecipients+50)); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("%d recipients: %v, want invalid", outbox.MaxRecipients+50, err)
	}
	a, err := pub.Publish(ctx, e.urls.Actor("alice"), note(), recipients("slow.example", 20))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(e.deliveriesOf(t, a.ID)); got != 20 {
		t.Fatalf("%d deliveries for 20 recipients", got)
	}
	if most := slow.most.Load(); most < 2 {
		t.Fatalf("at most %d resolutions ran at once, want them in parallel", most)
	}
}

// TestUnresolvedRecipientIsLeftOut: a recipient whose server never answers
// is left out when the resolution deadline passes; the others are
// delivered to.
func TestUnresolvedRecipientIsLeftOut(t *testing.T) {
	e := newEnv(t)
	slow := &slowActors{pause: time.Millisecond}
	pub := outbox.New(outbox.Deps{Tx: e.st, Store: e.st, Actors: slow, Objects: e.objects, Queue: e.queue, URLs: e.urls,
		ResolveTimeout: 300 * time.Millisecond})
	doc := as2.Document{"id": e.urls.Activity("deadline"), "type": "Create", "actor": e.urls.Actor("alice"),
		"object": map[string]any{"type": "Note", "content": "hi"}}
	a, err := pub.Publish(context.Background(), e.urls.Actor("alice"), doc,
		[]string{"https://slow.example/users/a", "https://never.example/users/b", "https://slow.example/users/c"})
	if err != nil {
		t.Fatal(err)
	}
	got := e.deliveriesOf(t, a.ID)
	if len(got) != 2 || strings.Contains(strings.Join(got, " "), "never.example") {
		t.Fatalf("deliveries %v, want the two resolved recipients only", got)
	}
}

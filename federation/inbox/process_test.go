package inbox

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// insertReceived stores a received activity directly, as the HTTP side would.
func (e *env) insertReceived(doc []byte, created time.Time, state string) *app.Activity {
	e.t.Helper()
	act, err := as2.ParseActivity(doc)
	if err != nil {
		e.t.Fatal(err)
	}
	a := &app.Activity{URI: act.ID, Type: act.Type, ActorURI: act.Actor, ObjectURI: act.ObjectID(),
		Document: string(doc), State: state, CreatedAt: created.UTC()}
	if _, err := e.store.InsertActivity(context.Background(), a); err != nil {
		e.t.Fatal(err)
	}
	return a
}

func TestSweepPendingReenqueuesOldPendingOnly(t *testing.T) {
	e := newEnv(t, envOptions{})
	alice := e.alice()
	like := func(n string) []byte {
		return e.mustJSON(as2.NewActivity(alice.id+"#likes/"+n, "Like", alice.id, e.urls.Object("t")))
	}
	old := e.insertReceived(like("old"), time.Now().Add(-5*time.Minute), app.ActivityPending)
	e.insertReceived(like("fresh"), time.Now(), app.ActivityPending)
	e.insertReceived(like("done"), time.Now().Add(-5*time.Minute), app.ActivityProcessed)
	if err := e.inbox.SweepPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ids := e.queue.IDs(); !slices.Equal(ids, []int64{old.ID}) {
		t.Fatalf("enqueued %v, want [%d]", ids, old.ID)
	}
	e.queue.fail = true
	if err := e.inbox.SweepPending(context.Background()); err != nil {
		t.Fatalf("a refused enqueue must not fail the sweep: %v", err)
	}
}

func TestProcessOutcomes(t *testing.T) {
	tests := []struct {
		name      string
		doc       func(e *env) []byte
		setup     func(e *env)
		wantState string
	}{
		{"malformed stored document", func(e *env) []byte {
			return []byte(`{"id":"` + e.alice().id + `#x","type":"Like","actor":"` + e.alice().id + `"`)
		}, nil, app.ActivityFailed},
		{"blocked after it arrived", func(e *env) []byte {
			return e.mustJSON(as2.NewActivity(e.alice().id+"#likes/9", "Like", e.alice().id, e.urls.Object("t")))
		}, func(e *env) {
			if err := e.mod.BlockActor(context.Background(), e.alice().id, "spam"); err != nil {
				e.t.Fatal(err)
			}
		}, app.ActivityFailed},
		{"follow of a local user that does not exist", func(e *env) []byte {
			return e.mustJSON(as2.NewActivity(e.alice().id+"#f/9", "Follow", e.alice().id, e.urls.Actor("nobody")))
		}, nil, app.ActivityFailed},
		{"accept of an unknown follow", func(e *env) []byte {
			return e.mustJSON(as2.NewActivity(e.alice().id+"#a/9", "Accept", e.alice().id, e.urls.Activity("nope")))
		}, nil, app.ActivityFailed},
		{"follow of a remote actor", func(e *env) []byte {
			return e.mustJSON(as2.NewActivity(e.alice().id+"#f/8", "Follow", e.alice().id, e.bob().id))
		}, nil, app.ActivityProcessed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			if tt.setup != nil {
				tt.setup(e)
			}
			doc := tt.doc(e)
			a := &app.Activity{URI: e.alice().id + "#row", Type: "Like", ActorURI: e.alice().id,
				Document: string(doc), State: app.ActivityPending, CreatedAt: time.Now().UTC()}
			if _, err := e.store.InsertActivity(context.Background(), a); err != nil {
				t.Fatal(err)
			}
			if err := e.inbox.Process(context.Background(), a.ID); err != nil {
				t.Fatalf("Process: %v", err)
			}
			got := e.activity(a.URI)
			if got.State != tt.wantState || got.ProcessedAt == nil {
				t.Errorf("state %s (%q), want %s", got.State, got.Error, tt.wantState)
			}
			if tt.wantState == app.ActivityFailed && got.Error == "" {
				t.Error("failed without a reason")
			}
			if n := e.count(&app.Like{}, ""); n != 0 {
				t.Errorf("%d likes stored", n)
			}
		})
	}
}

func TestProcessMissingRowIsDone(t *testing.T) {
	e := newEnv(t, envOptions{})
	if err := e.inbox.Process(context.Background(), 12345); err != nil {
		t.Fatalf("Process of a missing row: %v, want nil (nothing to retry)", err)
	}
}

func TestProcessLocalActivities(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	carol, dora := e.urls.Actor("carol"), e.urls.Actor("dora")
	// dora follows carol, both local: the outbox hands the Follow over as a
	// local activity, and carol, who approves automatically, accepts it.
	follow := e.mustJSON(as2.NewActivity(e.urls.Activity("local-follow"), "Follow", dora, carol))
	rec := &app.Activity{URI: e.urls.Activity("local-follow"), Type: "Follow", ActorURI: dora, ObjectURI: carol,
		Local: true, Document: string(follow), State: app.ActivityPublished, CreatedAt: time.Now().UTC()}
	if _, err := e.store.InsertActivity(ctx, rec); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := e.inbox.Process(ctx, rec.ID); err != nil {
			t.Fatal(err)
		}
	}
	f, err := e.store.FollowByPair(ctx, dora, carol)
	if err != nil || f.State != app.FollowAccepted {
		t.Fatalf("local follow = %+v, %v", f, err)
	}
	calls := e.publisher.Calls()
	if len(calls) != 1 || calls[0].Actor != carol || !slices.Equal(calls[0].Recipients, []string{dora}) {
		t.Fatalf("published %+v, want one Accept from carol to dora", calls)
	}
	if got := e.activity(rec.URI); got.State != app.ActivityPublished {
		t.Errorf("local activity state changed to %s", got.State)
	}
	// The Accept, handed back as a local activity, accepts dora's follow of
	// carol (already accepted: a no-op), and must not fail.
	acc := e.activity(calls[0].Doc.ID())
	if err := e.inbox.Process(ctx, acc.ID); err != nil {
		t.Fatal(err)
	}
	if f, _ := e.store.FollowByPair(ctx, dora, carol); f.State != app.FollowAccepted {
		t.Errorf("state after the local Accept: %s", f.State)
	}
}

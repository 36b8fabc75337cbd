package follows_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/follows"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
)

const base = "https://p.example"

// urls is the local address scheme the service is given.
type urls struct{}

func (urls) Actor(name string) string { return base + "/users/" + name }
func (urls) IsLocal(uri string) bool  { return strings.HasPrefix(uri, base+"/") }
func (urls) LocalUsername(uri string) (string, bool) {
	name, ok := strings.CutPrefix(uri, base+"/users/")
	return name, ok && name != ""
}

// remoteActors knows every actor on r.example.
type remoteActors struct{}

func (remoteActors) Actor(_ context.Context, uri string, _ bool) (*app.RemoteActor, error) {
	if strings.HasPrefix(uri, "https://r.example/") {
		return &app.RemoteActor{URI: uri}, nil
	}
	return nil, app.Errorf(app.ENOTFOUND, "no actor %s", uri)
}

// outbox records what the service sends, and fails when told to.
type outbox struct {
	sent []string
	fail error
}

func (o *outbox) SendFollow(_ context.Context, f *app.Follow) (*app.Activity, error) {
	if o.fail != nil {
		return nil, o.fail
	}
	f.ActivityURI = base + "/activities/follow-" + f.FolloweeURI
	o.sent = append(o.sent, "Follow "+f.FolloweeURI)
	return &app.Activity{URI: f.ActivityURI}, nil
}

func (o *outbox) SendUndoFollow(_ context.Context, f *app.Follow) (*app.Activity, error) {
	o.sent = append(o.sent, "Undo "+f.FolloweeURI)
	return &app.Activity{}, o.fail
}

func (o *outbox) SendAnswer(_ context.Context, f *app.Follow, accept bool) error {
	if o.fail != nil {
		return o.fail
	}
	o.sent = append(o.sent, map[bool]string{true: "Accept ", false: "Reject "}[accept]+f.FollowerURI)
	return nil
}

func newService(t *testing.T) (*follows.Service, *store.Store, *outbox) {
	t.Helper()
	st := storetest.Open(t)
	ctx := context.Background()
	for _, u := range []*app.User{{Username: "alice"}, {Username: "dora", ManuallyApprovesFollowers: true}} {
		if err := st.CreateUser(ctx, u, app.UserSecrets{}); err != nil {
			t.Fatal(err)
		}
	}
	o := &outbox{}
	return follows.New(follows.Deps{Tx: st, Store: st, Users: st, Actors: remoteActors{}, Outbox: o, URLs: urls{}}), st, o
}

// TestReceiveRollsBackWhenTheAcceptCannotBeSent: the follow and its
// Accept are one transaction; a failure to publish the Accept stores no
// follow, so the retried activity starts from scratch.
func TestReceiveRollsBackWhenTheAcceptCannotBeSent(t *testing.T) {
	svc, st, o := newService(t)
	ctx := context.Background()
	o.fail = errors.New("database gone")
	r := follows.Received{ActivityURI: "https://r.example/f/1", FollowerURI: "https://r.example/u/bob", FolloweeURI: base + "/users/alice"}
	if _, err := svc.Receive(ctx, r); err == nil {
		t.Fatal("Receive succeeded although the Accept could not be published")
	}
	if _, err := st.FollowByPair(ctx, r.FollowerURI, r.FolloweeURI); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("follow stored without its Accept: %v", err)
	}
	o.fail = nil
	if ok, err := svc.Receive(ctx, r); err != nil || !ok {
		t.Fatalf("retry: %v, %v", ok, err)
	}
	f, err := st.FollowByPair(ctx, r.FollowerURI, r.FolloweeURI)
	if err != nil || f.State != app.FollowAccepted {
		t.Fatalf("follow after retry = %+v, %v", f, err)
	}
	if len(o.sent) != 1 || o.sent[0] != "Accept https://r.example/u/bob" {
		t.Fatalf("sent %v, want one Accept", o.sent)
	}
}

// TestAcceptedFollowStaysAccepted: a repeated Follow, either way, does not
// demote an accepted follow back to pending.
func TestAcceptedFollowStaysAccepted(t *testing.T) {
	svc, st, o := newService(t)
	ctx := context.Background()
	bob := "https://r.example/u/bob"
	r := follows.Received{ActivityURI: "https://r.example/f/1", FollowerURI: bob, FolloweeURI: base + "/users/dora"}
	if _, err := svc.Receive(ctx, r); err != nil {
		t.Fatal(err)
	}
	f, _ := st.FollowByPair(ctx, bob, r.FolloweeURI)
	if f.State != app.FollowPending || len(o.sent) != 0 {
		t.Fatalf("follow of a user who approves by hand: %s, sent %v", f.State, o.sent)
	}
	if err := svc.Decide(ctx, f.ID, true); err != nil {
		t.Fatal(err)
	}
	r.ActivityURI = "https://r.example/f/2"
	if _, err := svc.Receive(ctx, r); err != nil {
		t.Fatal(err)
	}
	if f, _ = st.FollowByPair(ctx, bob, r.FolloweeURI); f.State != app.FollowAccepted {
		t.Fatalf("repeated Follow demoted the follow to %s", f.State)
	}

	alice := base + "/users/alice"
	if _, err := svc.Follow(ctx, "alice", bob); err != nil {
		t.Fatal(err)
	}
	if err := svc.Answered(ctx, follows.Answer{FollowActivityURI: base + "/activities/follow-" + bob, By: bob, Accepted: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Follow(ctx, "alice", bob); err != nil {
		t.Fatal(err)
	}
	if f, _ = st.FollowByPair(ctx, alice, bob); f.State != app.FollowAccepted {
		t.Fatalf("a second Follow by alice made her follow %s", f.State)
	}
}

// TestAnsweredOnlyByTheFollowee: an Accept from anyone but the followee is
// refused and changes nothing.
func TestAnsweredOnlyByTheFollowee(t *testing.T) {
	svc, st, _ := newService(t)
	ctx := context.Background()
	bob := "https://r.example/u/bob"
	if _, err := svc.Follow(ctx, "alice", bob); err != nil {
		t.Fatal(err)
	}
	err := svc.Answered(ctx, follows.Answer{FollowActivityURI: base + "/activities/follow-" + bob, By: "https://r.example/u/mallory", Accepted: true})
	if app.ErrorCode(err) != app.EFORBIDDEN {
		t.Fatalf("Accept by a stranger: %v, want forbidden", err)
	}
	if f, _ := st.FollowByPair(ctx, base+"/users/alice", bob); f.State != app.FollowPending {
		t.Fatalf("follow is %s after a stranger's Accept", f.State)
	}
}

func TestFollowRefusals(t *testing.T) {
	svc, _, o := newService(t)
	ctx := context.Background()
	for name, target := range map[string]string{
		"yourself":     base + "/users/alice",
		"no one":       "",
		"unknown user": base + "/users/zed",
		"unresolvable": "https://elsewhere.example/u/x",
	} {
		if _, err := svc.Follow(ctx, "alice", target); err == nil {
			t.Errorf("%s: following %q succeeded", name, target)
		}
	}
	if len(o.sent) != 0 {
		t.Fatalf("refused follows sent %v", o.sent)
	}
}

package instance_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/configs"
)

// silentServer accepts connections on 127.0.0.1 and never answers: a
// remote server that hangs every request until the client gives up.
type silentServer struct {
	ln       net.Listener
	accepted atomic.Int32
	mu       sync.Mutex
	conns    []net.Conn
}

func newSilentServer(t *testing.T) *silentServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &silentServer{ln: ln}
	go s.serve()
	t.Cleanup(s.close)
	return s
}

func (s *silentServer) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns = append(s.conns, c)
		s.mu.Unlock()
		s.accepted.Add(1)
		go func() { _, _ = io.Copy(io.Discard, c) }() // read the request, never answer
	}
}

// close ends every hanging request at once.
func (s *silentServer) close() {
	_ = s.ln.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		_ = c.Close()
	}
}

// TestSlowHostDoesNotStallInboxWork: B's worker has two slots and bob@B
// has twenty followers on a server that never answers, so twenty
// deliveries to it are queued and one of them hangs in a request. Work
// for everyone else still flows through B: alice@A's Follow is processed
// in B's inbox, and B's Accept is delivered to A and processed there.
func TestSlowHostDoesNotStallInboxWork(t *testing.T) {
	a := startNode(t, "A")
	b := startNodeWith(t, "B", func(c *configs.Config) { c.Worker.Concurrency = 2 })
	aliceToken, bobToken := a.user("alice"), b.user("bob")
	slow := newSilentServer(t)

	ctx := context.Background()
	now := time.Now().UTC()
	for i := range 20 {
		uri := fmt.Sprintf("http://%s/users/f%d", slow.ln.Addr(), i)
		follower := &app.RemoteActor{URI: uri, Type: "Person", Host: slow.ln.Addr().String(), Inbox: uri + "/inbox", FetchedAt: now}
		if err := b.inst.TestStore().UpsertRemoteActor(ctx, follower); err != nil {
			t.Fatal(err)
		}
		f := &app.Follow{ActivityURI: uri + "#follow", FollowerURI: uri, FolloweeURI: b.actor("bob"), State: app.FollowAccepted}
		if err := b.inst.TestStore().UpsertFollow(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	b.post("bob", bobToken, note("to the slow server", public, b.actor("bob")+"/followers"))
	eventually(t, "a request hanging on the slow server", func() bool { return slow.accepted.Load() >= 1 })

	follow(t, a, "alice", aliceToken, b, "bob")
	if n := b.count("SELECT COUNT(*) FROM deliveries WHERE host = ? AND state = 'pending'", slow.ln.Addr().String()); n != 20 {
		t.Errorf("%d deliveries to the slow server pending, want all 20", n)
	}
}

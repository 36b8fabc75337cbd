package instance_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/plaudit/plaudit/configs"
)

const public = "https://www.w3.org/ns/activitystreams#Public"

// follow makes follower@from follow followee@to and waits for the Accept.
func follow(t *testing.T, from *node, follower, token string, to *node, followee string) {
	t.Helper()
	from.post(follower, token, map[string]any{"type": "Follow", "object": to.actor(followee)})
	eventually(t, from.name+"/"+follower+" follow of "+to.name+"/"+followee+" accepted", func() bool {
		return from.followState(from.actor(follower), to.actor(followee)) == "accepted" &&
			to.followState(from.actor(follower), to.actor(followee)) == "accepted"
	})
}

// TestFollowPostUndo: alice@A follows bob@B, B accepts, bob's public note
// reaches A once through the shared inbox, Undo(Follow) removes the follow.
func TestFollowPostUndo(t *testing.T) {
	a, b := startNode(t, "A"), startNode(t, "B")
	aliceToken, bobToken := a.user("alice"), b.user("bob")
	daveToken := a.user("dave")

	follow(t, a, "alice", aliceToken, b, "bob")
	follow(t, a, "dave", daveToken, b, "bob")

	createID := b.post("bob", bobToken, note("hello fediverse", public, b.actor("bob")+"/followers"))
	eventually(t, "bob's note on A", func() bool {
		return a.count("SELECT COUNT(*) FROM remote_objects WHERE attributed_to = ?", b.actor("bob")) == 1
	})
	if got := b.count("SELECT COUNT(*) FROM deliveries d JOIN activities a ON a.id = d.activity_id WHERE a.uri = ?", createID); got != 1 {
		t.Fatalf("deliveries of the Create to A's two followers = %d, want 1 (shared inbox)", got)
	}
	if got := b.count("SELECT COUNT(*) FROM deliveries d JOIN activities a ON a.id = d.activity_id WHERE a.uri = ? AND d.inbox = ?", createID, a.base()+"/inbox"); got != 1 {
		t.Fatalf("the Create was not delivered to A's shared inbox")
	}
	eventually(t, "the Create processed once on A", func() bool {
		return a.count("SELECT COUNT(*) FROM activities WHERE uri = ? AND state = 'processed'", createID) == 1
	})

	var followURI string
	a.inst.TestStore().DB().Raw("SELECT activity_uri FROM follows WHERE follower_uri = ? AND followee_uri = ?", a.actor("alice"), b.actor("bob")).Scan(&followURI)
	a.post("alice", aliceToken, map[string]any{"type": "Undo", "object": followURI})
	eventually(t, "the follow gone on B", func() bool { return b.followState(a.actor("alice"), b.actor("bob")) == "" })
	if a.followState(a.actor("alice"), b.actor("bob")) != "" {
		t.Fatal("the follow is still on A after Undo")
	}
	if b.followState(a.actor("dave"), b.actor("bob")) != "accepted" {
		t.Fatal("Undo of alice's follow removed dave's")
	}
}

// TestThreeInstancesAndDowntime: bob@B has followers on A and C; C is down
// when bob posts, and receives the post exactly once after it comes back.
func TestThreeInstancesAndDowntime(t *testing.T) {
	a, b, c := startNode(t, "A"), startNode(t, "B"), startNode(t, "C")
	aliceToken, bobToken, carolToken := a.user("alice"), b.user("bob"), c.user("carol")
	follow(t, a, "alice", aliceToken, b, "bob")
	follow(t, c, "carol", carolToken, b, "bob")

	c.stop()
	createID := b.post("bob", bobToken, note("while C sleeps", public, b.actor("bob")+"/followers"))
	eventually(t, "the note on A", func() bool {
		return a.count("SELECT COUNT(*) FROM activities WHERE uri = ?", createID) == 1
	})
	eventually(t, "a failed attempt to reach C", func() bool {
		return b.count("SELECT COUNT(*) FROM deliveries WHERE inbox = ? AND attempts >= 1 AND state = 'pending'", c.base()+"/inbox") == 1
	})

	c.restart()
	eventually(t, "the note on C after restart", func() bool {
		return c.count("SELECT COUNT(*) FROM activities WHERE uri = ? AND state = 'processed'", createID) == 1
	})
	eventually(t, "the delivery to C marked delivered", func() bool {
		return b.count("SELECT COUNT(*) FROM deliveries WHERE inbox = ? AND state = 'delivered'", c.base()+"/inbox") == 1
	})
	if got := c.count("SELECT COUNT(*) FROM remote_objects WHERE attributed_to = ?", b.actor("bob")); got != 1 {
		t.Fatalf("C has %d copies of bob's note, want 1", got)
	}
	if got := c.count("SELECT COUNT(*) FROM activities WHERE uri = ?", createID); got != 1 {
		t.Fatalf("C received the Create %d times, want 1", got)
	}
}

// TestManualFollowApproval: carol@B approves followers by hand; alice@A's
// follow waits until carol authorizes it through the API.
func TestManualFollowApproval(t *testing.T) {
	a, b := startNode(t, "A"), startNode(t, "B")
	aliceToken, carolToken := a.user("alice"), b.user("carol")
	if err := b.inst.TestAccounts().SetApprovesFollowers(context.Background(), "carol", true); err != nil {
		t.Fatal(err)
	}
	a.post("alice", aliceToken, map[string]any{"type": "Follow", "object": b.actor("carol")})
	eventually(t, "the follow request on B", func() bool {
		return b.followState(a.actor("alice"), b.actor("carol")) == "pending"
	})
	var requests []struct {
		ID       int64  `json:"id"`
		Follower string `json:"follower"`
	}
	b.api(http.MethodGet, "/api/v1/follow_requests", carolToken, http.StatusOK, &requests)
	if len(requests) != 1 || requests[0].Follower != a.actor("alice") {
		t.Fatalf("follow requests = %+v", requests)
	}
	if a.followState(a.actor("alice"), b.actor("carol")) != "pending" {
		t.Fatal("A counts the follow as accepted before carol decided")
	}
	bobToken := b.user("bob")
	b.api(http.MethodPost, fmt.Sprintf("/api/v1/follow_requests/%d/authorize", requests[0].ID), bobToken, http.StatusNotFound, nil)
	b.api(http.MethodPost, fmt.Sprintf("/api/v1/follow_requests/%d/authorize", requests[0].ID), carolToken, http.StatusNoContent, nil)
	eventually(t, "the follow accepted on A", func() bool {
		return a.followState(a.actor("alice"), b.actor("carol")) == "accepted"
	})
}

// TestProfileUpdate: bob@B edits his profile with PATCH /api/v1/me; his
// follower's server A gets Update(Person) and stores the new name and
// summary.
func TestProfileUpdate(t *testing.T) {
	a, b := startNode(t, "A"), startNode(t, "B")
	aliceToken, bobToken := a.user("alice"), b.user("bob")
	follow(t, a, "alice", aliceToken, b, "bob")
	if got := a.count("SELECT COUNT(*) FROM remote_actors WHERE uri = ? AND name = 'bob'", b.actor("bob")); got != 1 {
		t.Fatalf("A holds %d rows of bob with his first name, want 1", got)
	}

	var me struct {
		DisplayName string `json:"display_name"`
		Summary     string `json:"summary"`
	}
	b.apiJSON(http.MethodPatch, "/api/v1/me", bobToken,
		map[string]any{"display_name": "Bob the Builder", "summary": "Can we fix it?\nYes we can"}, http.StatusOK, &me)
	if me.DisplayName != "Bob the Builder" || me.Summary != "Can we fix it?\nYes we can" {
		t.Fatalf("PATCH answer = %+v", me)
	}
	wantSummary := "<p>Can we fix it?<br>Yes we can</p>"
	eventually(t, "bob's new profile on A", func() bool {
		return a.count("SELECT COUNT(*) FROM remote_actors WHERE uri = ? AND name = ? AND summary = ?",
			b.actor("bob"), "Bob the Builder", wantSummary) == 1
	})
	// The actor row is written before the activity is marked processed.
	eventually(t, "bob's Update processed on A", func() bool {
		return a.count("SELECT COUNT(*) FROM activities WHERE type = 'Update' AND actor_uri = ? AND state = 'processed'", b.actor("bob")) == 1
	})
	if got := b.count("SELECT COUNT(*) FROM activities WHERE type = 'Update' AND local AND public AND object_uri = ?", b.actor("bob")); got != 1 {
		t.Fatalf("public Update activities of bob on B = %d, want 1", got)
	}
}

// TestSSRFGuardRefusesLoopbackKeys: an instance with
// allow_private_addresses off must not fetch the signing key of a sender on
// 127.0.0.1, so the sender's Follow is refused (401) and nothing is stored.
func TestSSRFGuardRefusesLoopbackKeys(t *testing.T) {
	guarded := startNodeWith(t, "guarded", func(c *configs.Config) { c.Federation.AllowPrivateAddresses = false })
	sender := startNode(t, "sender")
	guarded.user("gina")
	senderToken := sender.user("sam")

	sender.post("sam", senderToken, map[string]any{"type": "Follow", "object": guarded.actor("gina")})
	eventually(t, "a refused delivery attempt", func() bool {
		return sender.count("SELECT COUNT(*) FROM deliveries WHERE inbox = ? AND attempts >= 1 AND last_status = 401", guarded.actor("gina")+"/inbox") == 1
	})
	if n := guarded.count("SELECT COUNT(*) FROM activities"); n != 0 {
		t.Fatalf("the guarded instance stored %d activities, want 0", n)
	}
	if n := guarded.count("SELECT COUNT(*) FROM remote_actors"); n != 0 {
		t.Fatalf("the guarded instance fetched %d remote actors from loopback, want 0", n)
	}
}

// TestSenderRestartKeepsDeliveries: bob@B posts while C is down, then B
// itself restarts (on the embedded default its in-process queue is lost).
// The delivery rows are the record: B's start-up sweep queues them again
// and C gets the post exactly once.
func TestSenderRestartKeepsDeliveries(t *testing.T) {
	b, c := startNode(t, "B"), startNode(t, "C")
	bobToken, carolToken := b.user("bob"), c.user("carol")
	follow(t, c, "carol", carolToken, b, "bob")

	c.stop()
	createID := b.post("bob", bobToken, note("posted before a restart", public, b.actor("bob")+"/followers"))
	eventually(t, "a failed attempt to reach C", func() bool {
		return b.count("SELECT COUNT(*) FROM deliveries WHERE inbox = ? AND attempts >= 1 AND state = 'pending'", c.base()+"/inbox") == 1
	})
	b.stop()
	b.restart()
	c.restart()
	eventually(t, "the note on C", func() bool {
		return c.count("SELECT COUNT(*) FROM activities WHERE uri = ? AND state = 'processed'", createID) == 1
	})
	eventually(t, "the delivery marked delivered", func() bool {
		return b.count("SELECT COUNT(*) FROM deliveries WHERE inbox = ? AND state = 'delivered'", c.base()+"/inbox") == 1
	})
	if n := c.count("SELECT COUNT(*) FROM remote_objects WHERE attributed_to = ?", b.actor("bob")); n != 1 {
		t.Fatalf("C has %d copies, want 1", n)
	}
}

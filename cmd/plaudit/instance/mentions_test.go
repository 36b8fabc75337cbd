package instance_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/plaudit/plaudit/federation/dereference/dereftest"
)

// TestFlattrByMention: a reply from a Mastodon account mentioning A's
// flattr actor flattrs the post it replies to (on B), once the account is
// linked to a funder on A who has money; otherwise nothing is flattred
// and the answer says why. Every answer is a direct message to the
// account.
func TestFlattrByMention(t *testing.T) {
	a, b := startNode(t, "A"), startNode(t, "B")
	m := newMastodon(t)
	carolToken, bobToken := a.user("carol"), b.user("bob")
	post := b.publishNote("bob", bobToken, "worth a flattr")
	flattrActor := a.actor("flattr")
	reply := func(n int, text string) map[string]any {
		id := fmt.Sprintf("%s/users/alice/statuses/%d", m.URL, 100+n)
		return map[string]any{
			"@context": "https://www.w3.org/ns/activitystreams", "id": id + "/activity", "type": "Create", "actor": m.actor,
			"to": []any{flattrActor},
			"object": map[string]any{"id": id, "type": "Note", "attributedTo": m.actor, "inReplyTo": post, "to": []any{flattrActor},
				"content": `<p><span class="h-card"><a href="` + flattrActor + `" class="u-url mention">@<span>flattr</span></a></span> ` + text + `</p>`,
				"tag":     []any{map[string]any{"type": "Mention", "href": flattrActor, "name": "@flattr@" + a.addr}}},
		}
	}
	answers := func(like string) int64 {
		return a.count("SELECT COUNT(*) FROM activities WHERE type = 'Create' AND actor_uri = ? AND document LIKE ? AND document LIKE ?",
			flattrActor, "%"+m.actor+"%", "%"+like+"%")
	}
	flattrs := func() int64 {
		return a.count("SELECT COUNT(*) FROM flattrs WHERE local AND funder_uri = ?", a.actor("carol"))
	}

	m.send(t, flattrActor+"/inbox", reply(1, "+3 great post"))
	eventually(t, "the answer to an unlinked account", func() bool { return answers("is not linked") == 1 })
	if n := flattrs(); n != 0 {
		t.Fatalf("%d flattrs for an unlinked account", n)
	}

	// carol links the Mastodon account: it names her, she claims it.
	var claim struct {
		ID int64 `json:"id"`
	}
	a.apiJSON(http.MethodPost, "/api/v1/claims", carolToken, map[string]string{"url": m.actor}, http.StatusCreated, &claim)
	doc := dereftest.WithKey(t, dereftest.Fixture(t, "mastodon_actor.json", map[string]string{"https://mastodon.example": m.URL}), m.keyID, m.actor, dereftest.Key("alice"))
	m.Serve("/users/alice", dereftest.Edit(t, doc, func(d map[string]any) { d["alsoKnownAs"] = []any{a.actor("carol")} }))
	a.apiJSON(http.MethodPost, fmt.Sprintf("/api/v1/claims/%d/verify", claim.ID), carolToken, nil, http.StatusOK, nil)

	m.send(t, flattrActor+"/inbox", reply(2, "+3"))
	eventually(t, "the answer to an empty wallet", func() bool { return answers("wallet is empty") == 1 })
	a.credit("carol", 1000)
	m.send(t, flattrActor+"/inbox", reply(3, "+11"))
	eventually(t, "the answer to a weight out of range", func() bool { return answers("A flattr weighs") == 1 })
	if n := flattrs(); n != 0 {
		t.Fatalf("%d flattrs before a valid reply", n)
	}
	defer func() {
		if t.Failed() {
			var rows []struct{ NoteURI, Outcome string }
			a.inst.TestStore().DB().Raw("SELECT note_uri, outcome FROM mention_flattrs").Scan(&rows)
			var acts []struct{ URI, State, Error string }
			a.inst.TestStore().DB().Raw("SELECT uri, state, document AS error FROM activities WHERE actor_uri = ?", flattrActor).Scan(&acts)
			t.Logf("mentions %+v; activities %+v", rows, acts)
		}
	}()
	m.send(t, flattrActor+"/inbox", reply(4, "+3 thanks!"))
	eventually(t, "the confirmation", func() bool { return answers("with weight 3 for") == 1 })
	eventually(t, "the weighted Like on B", func() bool {
		return b.count("SELECT COUNT(*) FROM flattrs WHERE funder_uri = ? AND thing_uri = ? AND weight = 3 AND state = 'active'", a.actor("carol"), post) == 1
	})
	// The same reply delivered again (another Create of it) changes nothing.
	again := reply(4, "+3 thanks!")
	again["id"] = again["id"].(string) + "-again"
	m.send(t, flattrActor+"/inbox", again)
	// Another reply to the same post changes the weight of the one flattr.
	m.send(t, flattrActor+"/inbox", reply(5, "+2"))
	eventually(t, "the answer to a second reply", func() bool { return answers("with weight 2 for") == 1 })
	eventually(t, "the new weight on B", func() bool {
		return b.count("SELECT COUNT(*) FROM flattrs WHERE funder_uri = ? AND thing_uri = ? AND weight = 2 AND state = 'active'", a.actor("carol"), post) == 1
	})
	if n, c := flattrs(), answers("with weight 3 for"); n != 1 || c != 1 {
		t.Fatalf("after the repeats: %d flattrs, %d confirmations of the first; want 1, 1", n, c)
	}
	eventually(t, "the answers delivered to the account", func() bool {
		return a.count("SELECT COUNT(*) FROM deliveries d JOIN activities x ON x.id = d.activity_id WHERE x.actor_uri = ? AND d.state = 'delivered'", flattrActor) == 5
	})
}

// TestLinkByCode: a funder makes a link code; the Mastodon account sends
// it to the flattr actor in a direct message and is linked (a code works
// once); its replies then flattr.
func TestLinkByCode(t *testing.T) {
	a := startNode(t, "A")
	m := newMastodon(t)
	carolToken, danToken := a.user("carol"), a.user("dan")
	post := a.publishNote("dan", danToken, "dan's post")
	flattrActor := a.actor("flattr")
	var code struct {
		Code   string `json:"code"`
		SendTo string `json:"send_to"`
	}
	a.apiJSON(http.MethodPost, "/api/v1/mentions/link_code", carolToken, nil, http.StatusCreated, &code)
	if !strings.HasPrefix(code.Code, "plaudit-") || code.SendTo != "@flattr@"+a.addr {
		t.Fatalf("link code %+v", code)
	}
	note := func(n int, text, inReplyTo string) map[string]any {
		id := fmt.Sprintf("%s/users/alice/statuses/%d", m.URL, 200+n)
		o := map[string]any{"id": id, "type": "Note", "attributedTo": m.actor, "to": []any{flattrActor},
			"content": `<p><span class="h-card"><a href="` + flattrActor + `" class="u-url mention">@flattr</a></span> ` + text + `</p>`,
			"tag":     []any{map[string]any{"type": "Mention", "href": flattrActor}}}
		if inReplyTo != "" {
			o["inReplyTo"] = inReplyTo
		}
		return map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": id + "/activity", "type": "Create",
			"actor": m.actor, "to": []any{flattrActor}, "object": o}
	}
	answers := func(like string) int64 {
		return a.count("SELECT COUNT(*) FROM activities WHERE type = 'Create' AND actor_uri = ? AND document LIKE ?", flattrActor, "%"+like+"%")
	}
	m.send(t, flattrActor+"/inbox", note(1, "here is my code: "+code.Code, ""))
	eventually(t, "the link's confirmation", func() bool { return answers("now linked to carol") == 1 })
	m.send(t, flattrActor+"/inbox", note(2, code.Code, ""))
	eventually(t, "a used code refused", func() bool { return answers("unknown, used") == 1 })
	a.credit("carol", 500)
	m.send(t, flattrActor+"/inbox", note(3, "+2", post))
	eventually(t, "the flattr", func() bool {
		return a.count("SELECT COUNT(*) FROM flattrs WHERE local AND funder_uri = ? AND thing_uri = ? AND weight = 2", a.actor("carol"), post) == 1
	})
}

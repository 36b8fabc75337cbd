package instance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/ledger"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/dereference/dereftest"
	"github.com/plaudit/plaudit/federation/httpsig"
)

// flattrOut is a flattr as the API answers it.
type flattrOut struct {
	ID     string `json:"id"`
	URI    string `json:"uri"`
	Month  string `json:"month"`
	Weight int    `json:"weight"`
	State  string `json:"state"`
	Thing  struct {
		URI   string `json:"uri"`
		Owner string `json:"owner"`
	} `json:"thing"`
}

// incoming is what a node recorded of a received flattr.
type incoming struct {
	FunderURI string
	ThingURI  string
	Month     string
	Weight    int
	State     string
	Anonymous bool
}

// incomingFlattr reads the flattr with Like id likeURI on n.
func (n *node) incomingFlattr(likeURI string) *incoming {
	n.t.Helper()
	var rows []incoming
	if err := n.inst.TestStore().DB().Raw("SELECT funder_uri, thing_uri, month, weight, state, anonymous FROM flattrs WHERE activity_uri = ? AND NOT local", likeURI).Scan(&rows).Error; err != nil {
		n.t.Fatal(err)
	}
	if len(rows) == 0 {
		return nil
	}
	return &rows[0]
}

// publishNote posts a public Note of username's and returns its id.
func (n *node) publishNote(username, token, content string) string {
	n.t.Helper()
	createID := n.post(username, token, note(content, public))
	var objectURI string
	n.inst.TestStore().DB().Raw("SELECT object_uri FROM activities WHERE uri = ?", createID).Scan(&objectURI)
	if objectURI == "" {
		n.t.Fatalf("no object for %s", createID)
	}
	return objectURI
}

// TestFlattrAcrossInstances: carol@A flattrs a Note of bob@B through the
// API with weight 3; B records an incoming flattr of weight 3 from carol
// for this month; the weight change and the undo follow; the same through
// C2S; an anonymous flattr reaches B from A's instance actor, and nothing
// on B names dave.
func TestFlattrAcrossInstances(t *testing.T) {
	a, b := startNode(t, "A"), startNode(t, "B")
	carolToken, bobToken := a.user("carol"), b.user("bob")
	noteURI := b.publishNote("bob", bobToken, "worth a flattr")
	month := app.MonthOf(time.Now())

	var f flattrOut
	a.apiJSON(http.MethodPost, "/api/v1/flattrs", carolToken, map[string]any{"url": noteURI, "weight": 3}, http.StatusCreated, &f)
	if f.Weight != 3 || f.Month != month || f.State != app.FlattrActive || f.Thing.Owner != b.actor("bob") || f.ID == "" {
		t.Fatalf("flattr = %+v", f)
	}
	eventually(t, "the flattr on B", func() bool { return b.incomingFlattr(f.URI) != nil })
	got := b.incomingFlattr(f.URI)
	if got.FunderURI != a.actor("carol") || got.ThingURI != noteURI || got.Weight != 3 || got.Month != month || got.State != app.FlattrActive {
		t.Fatalf("B recorded %+v", got)
	}
	if n := b.count("SELECT flattrs FROM thing_counts WHERE thing_uri = ? AND month = ?", noteURI, month); n != 1 {
		t.Fatalf("B counts %d flattrs of the note this month, want 1", n)
	}

	a.apiJSON(http.MethodPatch, "/api/v1/flattrs/"+f.ID, carolToken, map[string]any{"weight": 1}, http.StatusOK, &f)
	eventually(t, "the weight change on B", func() bool { return b.incomingFlattr(f.URI).Weight == 1 })
	a.api(http.MethodDelete, "/api/v1/flattrs/"+f.ID, carolToken, http.StatusOK, &f)
	eventually(t, "the undo on B", func() bool { return b.incomingFlattr(f.URI).State == app.FlattrUndone })
	if n := b.count("SELECT flattrs FROM thing_counts WHERE thing_uri = ? AND month = ?", noteURI, month); n != 0 {
		t.Fatalf("B counts %d flattrs after the undo, want 0", n)
	}
	var list []flattrOut
	a.api(http.MethodGet, "/api/v1/flattrs?month="+month, carolToken, http.StatusOK, &list)
	if len(list) != 1 || list[0].State != app.FlattrUndone || list[0].Thing.URI != noteURI {
		t.Fatalf("carol's flattrs = %+v", list)
	}

	// The same through C2S: a Like with the terms, then its Undo.
	likeID := a.post("carol", carolToken, map[string]any{
		"@context": []any{"https://www.w3.org/ns/activitystreams", as2.FlattrContext()},
		"type":     "Like", "object": noteURI, "weight": 5,
	})
	eventually(t, "the C2S flattr on B", func() bool { return b.incomingFlattr(likeID) != nil })
	if got := b.incomingFlattr(likeID); got.Weight != 5 || got.State != app.FlattrActive {
		t.Fatalf("B recorded %+v", got)
	}
	a.post("carol", carolToken, map[string]any{"type": "Undo", "object": likeID})
	eventually(t, "the C2S undo on B", func() bool { return b.incomingFlattr(likeID).State == app.FlattrUndone })

	// A subscription flattrs at once (and every month after).
	var sub struct {
		ID     string `json:"id"`
		Active bool   `json:"active"`
	}
	a.apiJSON(http.MethodPost, "/api/v1/subscriptions", carolToken, map[string]any{"url": noteURI, "weight": 6}, http.StatusCreated, &sub)
	eventually(t, "the subscription's flattr on B", func() bool {
		return b.count("SELECT COUNT(*) FROM flattrs WHERE funder_uri = ? AND weight = 6 AND state = 'active'", a.actor("carol")) == 1
	})
	a.apiJSON(http.MethodPost, "/api/v1/subscriptions", carolToken, map[string]any{"url": noteURI}, http.StatusConflict, nil)
	a.api(http.MethodDelete, "/api/v1/subscriptions/"+sub.ID, carolToken, http.StatusOK, &sub)
	if sub.Active {
		t.Fatal("the subscription is active after DELETE")
	}

	// Anonymous: dave's Like comes from A's instance actor.
	daveToken := a.user("dave")
	a.apiJSON(http.MethodPost, "/api/v1/flattrs", daveToken, map[string]any{"url": noteURI, "weight": 2, "anonymous": true}, http.StatusCreated, &f)
	eventually(t, "the anonymous flattr on B", func() bool { return b.incomingFlattr(f.URI) != nil })
	got = b.incomingFlattr(f.URI)
	if !got.Anonymous || got.Weight != 2 || got.FunderURI == a.actor("dave") || !strings.HasPrefix(got.FunderURI, a.base()) {
		t.Fatalf("B recorded the anonymous flattr as %+v", got)
	}
	a.api(http.MethodDelete, "/api/v1/flattrs/"+f.ID, daveToken, http.StatusOK, nil)
	eventually(t, "the anonymous undo on B", func() bool { return b.incomingFlattr(f.URI).State == app.FlattrUndone })
	for _, q := range []string{
		"SELECT COUNT(*) FROM activities WHERE document LIKE ?",
		"SELECT COUNT(*) FROM flattrs WHERE funder_uri LIKE ?",
		"SELECT COUNT(*) FROM remote_actors WHERE uri LIKE ?",
	} {
		if n := b.count(q, "%"+a.actor("dave")+"%"); n != 0 {
			t.Errorf("B names dave: %s = %d", q, n)
		}
	}
}

// mastodon is a server that does not speak Plaudit, on loopback: it
// serves an actor and a Note and signs what it sends.
type mastodon struct {
	*dereftest.Remote
	actor, keyID, note string
}

func newMastodon(t *testing.T) *mastodon {
	r := dereftest.NewRemote(t)
	m := &mastodon{Remote: r, actor: r.URL + "/users/alice", keyID: r.URL + "/users/alice#main-key", note: r.URL + "/users/alice/statuses/1"}
	doc := dereftest.WithKey(t, dereftest.Fixture(t, "mastodon_actor.json", map[string]string{"https://mastodon.example": r.URL}), m.keyID, m.actor, dereftest.Key("alice"))
	r.Serve("/users/alice", doc)
	r.Serve("/users/alice/statuses/1", []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"`+m.note+`","type":"Note","attributedTo":"`+m.actor+`","content":"<p>mastodon post</p>","to":["https://www.w3.org/ns/activitystreams#Public"]}`))
	r.Handle("/users/alice/inbox", dereftest.Response{Status: http.StatusAccepted})
	return m
}

// send posts a signed activity to inbox and expects 202.
func (m *mastodon) send(t *testing.T, inbox string, activity map[string]any) {
	t.Helper()
	body, err := json.Marshal(activity)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, inbox, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/activity+json")
	if err := httpsig.NewSigner(m.keyID, dereftest.Key("alice")).SignPOST(req, body); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST %s = %d", inbox, resp.StatusCode)
	}
}

// TestLikesFromOtherServers: a Mastodon-shaped plain Like is a cheer, a
// Like with an emoji a reaction (neither), an Undo processed before its
// Like leaves nothing, and a flattr of a Mastodon post is sent with the
// terms and recorded on the funder's side.
func TestLikesFromOtherServers(t *testing.T) {
	b := startNode(t, "B")
	bobToken, carolToken := b.user("bob"), b.user("carol")
	noteURI := b.publishNote("bob", bobToken, "cheer me")
	m := newMastodon(t)
	inbox := b.actor("bob") + "/inbox"
	month := app.MonthOf(time.Now())
	counts := func() (flattrs, cheers int64) {
		c, err := b.inst.TestStore().ThingCounts(context.Background(), noteURI, month)
		if err != nil {
			t.Fatal(err)
		}
		return c.FlattrsMonth, c.CheersMonth
	}
	processed := func(uri string) func() bool {
		return func() bool {
			return b.count("SELECT COUNT(*) FROM activities WHERE uri = ? AND state = 'processed'", uri) == 1
		}
	}

	cheer := m.actor + "#likes/1"
	m.send(t, inbox, map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": cheer, "type": "Like", "actor": m.actor, "object": noteURI})
	eventually(t, "the cheer", processed(cheer))
	if f, c := counts(); f != 0 || c != 1 {
		t.Fatalf("after a plain Like: %d flattrs, %d cheers; want 0, 1", f, c)
	}
	reaction := m.actor + "#likes/2"
	m.send(t, inbox, map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": reaction, "type": "Like", "actor": m.actor, "object": noteURI, "content": "🎉"})
	eventually(t, "the reaction", processed(reaction))
	if f, c := counts(); f != 0 || c != 1 {
		t.Fatalf("after a reaction: %d flattrs, %d cheers; want 0, 1", f, c)
	}

	// The Undo of a weighted Like processed first; the Like after it.
	late := m.actor + "#likes/3"
	lateLike := map[string]any{"@context": []any{"https://www.w3.org/ns/activitystreams", as2.FlattrContext()}, "id": late, "type": "Like", "actor": m.actor, "object": noteURI, "weight": 4}
	undoID := late + "/undo"
	m.send(t, inbox, map[string]any{"@context": []any{"https://www.w3.org/ns/activitystreams", as2.FlattrContext()}, "id": undoID, "type": "Undo", "actor": m.actor,
		"object": map[string]any{"id": late, "type": "Like", "actor": m.actor, "object": noteURI, "weight": 4}})
	eventually(t, "the early Undo", processed(undoID))
	m.send(t, inbox, lateLike)
	eventually(t, "the late Like", processed(late))
	if got := b.count("SELECT COUNT(*) FROM flattrs WHERE activity_uri = ? AND state = 'active'", late); got != 0 {
		t.Fatalf("a Like processed after its Undo stands (%d active flattrs)", got)
	}
	if f, c := counts(); f != 0 || c != 1 {
		t.Fatalf("after Undo then Like: %d flattrs, %d cheers; want 0, 1", f, c)
	}
	// Undo of the cheer.
	m.send(t, inbox, map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": cheer + "/undo", "type": "Undo", "actor": m.actor,
		"object": map[string]any{"id": cheer, "type": "Like", "actor": m.actor, "object": noteURI}})
	eventually(t, "the cheer undone", func() bool { _, c := counts(); return c == 0 })

	// carol@B flattrs the Mastodon post: a Like with the terms goes to
	// alice's inbox, and B keeps the flattr (for escrow).
	var f flattrOut
	b.apiJSON(http.MethodPost, "/api/v1/flattrs", carolToken, map[string]any{"url": m.note, "weight": 7}, http.StatusCreated, &f)
	if f.Thing.Owner != m.actor || f.Weight != 7 {
		t.Fatalf("flattr = %+v", f)
	}
	var doc string
	b.inst.TestStore().DB().Raw("SELECT document FROM activities WHERE uri = ?", f.URI).Scan(&doc)
	like, err := as2.ParseActivity([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	terms, ok, err := like.FlattrTerms()
	if err != nil || !ok || terms.Weight != 7 || terms.Month != month || like.ObjectID() != m.note {
		t.Fatalf("sent Like %s: terms %+v, %v, %v", doc, terms, ok, err)
	}
	eventually(t, "the Like delivered to alice's inbox", func() bool { return m.Hits("/users/alice/inbox") >= 1 })
	if n := b.count("SELECT COUNT(*) FROM flattrs WHERE activity_uri = ? AND local AND owner_uri = ?", f.URI, m.actor); n != 1 {
		t.Fatalf("B keeps %d flattrs of the Mastodon post, want 1", n)
	}

	// A Delete of the post keeps its flattr history.
	deleteID := m.note + "#delete"
	m.send(t, b.base()+"/inbox", map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": deleteID, "type": "Delete", "actor": m.actor,
		"object": map[string]any{"id": m.note, "type": "Tombstone"}})
	eventually(t, "the Delete", processed(deleteID))
	if n := b.count("SELECT COUNT(*) FROM things WHERE uri = ? AND deleted_at IS NOT NULL", m.note); n != 1 {
		t.Fatal("the deleted post is not marked deleted")
	}
	if n := b.count("SELECT COUNT(*) FROM flattrs WHERE thing_uri = ? AND state = 'active'", m.note); n != 1 {
		t.Fatalf("%d flattrs of the deleted post, want its 1 kept", n)
	}

	// Co-creators: bob shares his note 70/30 with carol; nobody else can.
	split := map[string]any{"thing": noteURI, "recipients": []map[string]any{{"actor": b.actor("bob"), "share": 70}, {"actor": b.actor("carol"), "share": 30}}}
	b.apiJSON(http.MethodPut, "/api/v1/recipients", bobToken, split, http.StatusOK, nil)
	b.apiJSON(http.MethodPut, "/api/v1/recipients", carolToken, split, http.StatusNotFound, nil)
	b.apiJSON(http.MethodPut, "/api/v1/recipients", bobToken, map[string]any{"thing": noteURI, "recipients": []map[string]any{{"actor": "mailto:x", "share": 1}}}, http.StatusBadRequest, nil)
	b.apiJSON(http.MethodPut, "/api/v1/recipients", bobToken, map[string]any{"thing": noteURI, "recipients": []map[string]any{{"actor": b.actor("carol"), "share": 0}}}, http.StatusBadRequest, nil)
	var shares struct {
		Recipients []struct {
			Actor string `json:"actor"`
			Share int    `json:"share"`
		} `json:"recipients"`
	}
	b.api(http.MethodGet, "/api/v1/recipients", bobToken, http.StatusOK, &shares)
	if len(shares.Recipients) != 0 {
		t.Fatalf("bob's own split before he made one = %+v; want none", shares)
	}
	b.api(http.MethodGet, "/api/v1/recipients?thing="+url.QueryEscape(noteURI), bobToken, http.StatusOK, &shares)
	if len(shares.Recipients) != 2 || shares.Recipients[0].Share+shares.Recipients[1].Share != 100 {
		t.Fatalf("shares = %+v", shares)
	}

	// Bad input.
	for _, tc := range []struct {
		body   map[string]any
		status int
	}{
		{map[string]any{"url": m.note, "weight": 11}, http.StatusBadRequest},
		{map[string]any{"url": m.note, "weight": 0}, http.StatusBadRequest},
		{map[string]any{"url": "ftp://x.example/a"}, http.StatusBadRequest},
		{map[string]any{"url": m.URL + "/nothing"}, http.StatusNotFound},
		{map[string]any{"url": b.base() + "/objects/none"}, http.StatusNotFound},
		{map[string]any{"url": noteURI}, http.StatusCreated},
		{map[string]any{"url": m.note}, http.StatusNotFound}, // deleted
	} {
		var out map[string]any
		b.apiJSON(http.MethodPost, "/api/v1/flattrs", carolToken, tc.body, tc.status, &out)
		if tc.status >= 400 && out["error"] == nil {
			t.Errorf("%v: answer %v has no error message", tc.body, out)
		}
	}
	b.api(http.MethodGet, "/api/v1/flattrs?month=2999-01", carolToken, http.StatusBadRequest, nil)
	b.api(http.MethodPatch, "/api/v1/flattrs/"+f.ID, carolToken, http.StatusBadRequest, nil)
	b.api(http.MethodDelete, "/api/v1/flattrs/"+strconv.Itoa(999999), carolToken, http.StatusNotFound, nil)
}

// TestFlattrNeedingApproval: a flattr of a post whose server approves
// Likes (GoToSocial's interaction policy) is pending until the author
// accepts the Like, and rejected when they refuse.
func TestFlattrNeedingApproval(t *testing.T) {
	b := startNode(t, "B")
	carolToken := b.user("carol")
	m := newMastodon(t)
	for i, accept := range []bool{true, false} {
		path := "/users/alice/statuses/gts-" + strconv.Itoa(i)
		note := m.URL + path
		m.Serve(path, []byte(`{"@context":["https://www.w3.org/ns/activitystreams","https://gotosocial.org/ns"],"id":"`+note+`","type":"Note","attributedTo":"`+m.actor+`","content":"<p>ask first</p>",`+
			`"interactionPolicy":{"canLike":{"automaticApproval":["`+m.actor+`"],"manualApproval":["https://www.w3.org/ns/activitystreams#Public"]}}}`))
		var f flattrOut
		b.apiJSON(http.MethodPost, "/api/v1/flattrs", carolToken, map[string]any{"url": note, "weight": 4}, http.StatusCreated, &f)
		if f.State != app.FlattrPending {
			t.Fatalf("flattr of a post that approves Likes is %s, want pending", f.State)
		}
		answer, want := "Reject", app.FlattrRejected
		if accept {
			answer, want = "Accept", app.FlattrActive
		}
		m.send(t, b.base()+"/inbox", map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": note + "#" + answer, "type": answer, "actor": m.actor,
			"object": f.URI, "result": note + "/likeAuthorization"})
		eventually(t, "the answer applied", func() bool {
			return b.count("SELECT COUNT(*) FROM flattrs WHERE activity_uri = ? AND state = ?", f.URI, want) == 1
		})
	}
}

// TestFundingProjection: a funder sets a budget and tips a flattr, and the
// projection splits the budget over this month's flattrs by weight and
// adds the tip, as the close would.
func TestFundingProjection(t *testing.T) {
	ctx := context.Background()
	b := startNode(t, "B")
	bobToken, carolToken := b.user("bob"), b.user("carol")
	one, two := b.publishNote("bob", bobToken, "one"), b.publishNote("bob", bobToken, "two")
	st := b.inst.TestStore()
	l, err := ledger.New(st.Database, st.Ledger, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Post(ctx, &app.Transaction{Key: "topup:test", Kind: "topup", Postings: []app.Posting{
		{Account: app.Account{Kind: app.AccountMoneyIn, Key: "manual"}, Amount: -1000},
		{Account: app.Account{Kind: app.AccountWallet, Key: b.actor("carol")}, Amount: 1000},
	}}); err != nil {
		t.Fatal(err)
	}
	b.apiJSON(http.MethodPost, "/api/v1/flattrs", carolToken, map[string]any{"url": one, "weight": 1}, http.StatusCreated, nil)
	var tipped flattrOut
	b.apiJSON(http.MethodPost, "/api/v1/flattrs", carolToken, map[string]any{"url": two, "weight": 2, "tip": "0.50"}, http.StatusCreated, &tipped)
	b.apiJSON(http.MethodPatch, "/api/v1/flattrs/"+tipped.ID, carolToken, map[string]any{"tip": "1.005"}, http.StatusBadRequest, nil)
	b.apiJSON(http.MethodPatch, "/api/v1/flattrs/"+tipped.ID, carolToken, map[string]any{"tip": "1.00"}, http.StatusOK, nil)
	b.apiJSON(http.MethodPut, "/api/v1/funding/budget", carolToken, map[string]any{"amount": "1.00"}, http.StatusBadRequest, nil)
	b.apiJSON(http.MethodPut, "/api/v1/funding/budget", carolToken, map[string]any{"amount": "3.00"}, http.StatusOK, nil)
	var f struct {
		Wallet struct{ Minor int64 } `json:"wallet"`
		Budget struct{ Minor int64 } `json:"budget"`
		Amount struct{ Minor int64 } `json:"amount"`
		Lines  []struct {
			Thing  string                `json:"thing"`
			Goes   string                `json:"goes_to"`
			Amount struct{ Minor int64 } `json:"amount"`
		} `json:"lines"`
	}
	b.api(http.MethodGet, "/api/v1/funding", carolToken, http.StatusOK, &f)
	if f.Wallet.Minor != 1000 || f.Budget.Minor != 300 || f.Amount.Minor != 400 || len(f.Lines) != 3 {
		t.Fatalf("funding = %+v", f)
	}
	got := map[string]int64{}
	for _, l := range f.Lines {
		got[l.Thing] += l.Amount.Minor
		if l.Goes != app.AccountCreator {
			t.Errorf("%s's money goes to %s, want creator", l.Thing, l.Goes)
		}
	}
	if got[one] != 100 || got[two] != 300 {
		t.Fatalf("projection = %v, want 1.00 and 2.00 + a 1.00 tip", got)
	}
}

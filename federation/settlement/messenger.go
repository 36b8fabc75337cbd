package settlement

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/transport"
)

// Prover signs documents as the instance actor and verifies the proofs of
// others (federation/proof, FEP-8b32 eddsa-jcs-2022).
type Prover interface {
	// Sign returns doc with a proof by this instance's actor.
	Sign(ctx context.Context, doc map[string]any) ([]byte, error)
	// Verify checks raw's proof and returns the actor that controls the
	// key it was made with.
	Verify(ctx context.Context, raw []byte) (string, error)
}

// Publisher publishes activities from local actors (outbox.Publisher).
type Publisher interface {
	Publish(ctx context.Context, actorURI string, doc as2.Document, recipients []string) (*app.Activity, error)
	Prepare(ctx context.Context, actorURI string, recipients []string) error
}

// Getter makes signed GETs (transport.Client with the instance signer).
type Getter interface {
	Get(ctx context.Context, rawURL, accept string) (*transport.Response, error)
}

// LikeReceiver applies a fetched Like as if it had been delivered
// (inbox.Inbox.ApplyFetchedLike).
type LikeReceiver interface {
	ApplyFetchedLike(ctx context.Context, raw []byte) error
}

// MessengerDeps are what the Messenger needs.
type MessengerDeps struct {
	URLs      federation.URLs
	Prover    Prover
	Publisher Publisher
	// Getter fetches statements offered by reference and Likes not
	// received; its body limit must allow large statements.
	Getter Getter
	Likes  LikeReceiver
	// EmbedLimit is the largest statement, in bytes, embedded in its
	// Offer; a larger one is offered by id, for the peer to fetch. 0 means
	// DefaultEmbedLimit.
	EmbedLimit int
	Now        func() time.Time
}

// DefaultEmbedLimit keeps an Offer under inboxes' usual 1 MiB body limit.
const DefaultEmbedLimit = 512 << 10

// Messenger carries statements and settlements between instance actors
// (app/settlement.Messenger).
type Messenger struct{ d MessengerDeps }

// NewMessenger returns a Messenger.
func NewMessenger(d MessengerDeps) *Messenger {
	if d.EmbedLimit == 0 {
		d.EmbedLimit = DefaultEmbedLimit
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Messenger{d: d}
}

// me is this instance's actor.
func (m *Messenger) me() string { return m.d.URLs.InstanceActor() }

// SignStatement implements app/settlement.Messenger: st's signed
// document, addressed to peer.
func (m *Messenger) SignStatement(ctx context.Context, st *app.Statement, peer *app.Peer) ([]byte, error) {
	if err := m.d.Publisher.Prepare(ctx, m.me(), []string{peer.InstanceActor}); err != nil {
		return nil, fmt.Errorf("statement %s: peer actor: %w", st.URI, err)
	}
	raw, err := m.d.Prover.Sign(ctx, StatementDocument(st, m.me(), peer.InstanceActor))
	if err != nil {
		return nil, fmt.Errorf("sign statement %s: %w", st.URI, err)
	}
	return raw, nil
}

// activityID is a fresh id under base for one sending of an activity.
func (m *Messenger) activityID(base, what string) string {
	return base + "#" + what + "-" + strconv.FormatInt(m.d.Now().UnixNano(), 36)
}

// Offer implements app/settlement.Messenger: an Offer of the statement
// to the peer's instance actor, the statement embedded with its proof
// when small, else by id.
func (m *Messenger) Offer(ctx context.Context, st *app.Statement, peer *app.Peer) error {
	var object any = st.URI
	if len(st.Document) <= m.d.EmbedLimit {
		var doc map[string]any
		if err := json.Unmarshal(st.Document, &doc); err != nil {
			return app.Errorf(app.EINTERNAL, "statement %s: stored document: %v", st.URI, err)
		}
		object = doc // with its own @context: its proof covers it
	}
	act := as2.Document{
		"@context": Context(),
		"id":       m.activityID(st.URI, "offer"),
		"type":     "Offer",
		"actor":    m.me(),
		"to":       []any{peer.InstanceActor},
		"object":   object,
	}
	_, err := m.d.Publisher.Publish(ctx, m.me(), act, []string{peer.InstanceActor})
	return err
}

// Answer implements app/settlement.Messenger: Accept, or Reject with the
// disputes, of the peer's statement.
func (m *Messenger) Answer(ctx context.Context, st *app.Statement, peer *app.Peer) error {
	typ := "Accept"
	if st.State != app.StatementAccepted {
		typ = "Reject"
	}
	offer := map[string]any{"type": "Offer", "actor": peer.InstanceActor, "object": st.URI}
	act := as2.Document{
		"@context": Context(),
		"id":       m.d.URLs.Base() + "/answers/" + url.PathEscape(st.URI) + "#" + strconv.FormatInt(m.d.Now().UnixNano(), 36),
		"type":     typ,
		"actor":    m.me(),
		"to":       []any{peer.InstanceActor},
		"object":   offer,
	}
	if typ == "Reject" {
		act["disputes"] = disputesJSON(st.Reasons)
		act["summary"] = summaryOf(st.Reasons)
	}
	_, err := m.d.Publisher.Publish(ctx, m.me(), act, []string{peer.InstanceActor})
	return err
}

// SignSettlement implements app/settlement.Messenger.
func (m *Messenger) SignSettlement(ctx context.Context, s *app.Settlement, peer *app.Peer) ([]byte, error) {
	if err := m.d.Publisher.Prepare(ctx, m.me(), []string{peer.InstanceActor}); err != nil {
		return nil, fmt.Errorf("settlement %s: peer actor: %w", s.URI, err)
	}
	raw, err := m.d.Prover.Sign(ctx, SettlementDocument(s, m.me(), peer.InstanceActor))
	if err != nil {
		return nil, fmt.Errorf("sign settlement %s: %w", s.URI, err)
	}
	return raw, nil
}

// Settled implements app/settlement.Messenger: a Create of the signed
// settlement, to the peer's instance actor.
func (m *Messenger) Settled(ctx context.Context, s *app.Settlement, peer *app.Peer) error {
	var doc map[string]any
	if err := json.Unmarshal(s.Document, &doc); err != nil {
		return app.Errorf(app.EINTERNAL, "settlement %s: stored document: %v", s.URI, err)
	}
	act := as2.Document{
		"@context": Context(),
		"id":       m.activityID(s.URI, "create"),
		"type":     "Create",
		"actor":    m.me(),
		"to":       []any{peer.InstanceActor},
		"object":   doc,
	}
	_, err := m.d.Publisher.Publish(ctx, m.me(), act, []string{peer.InstanceActor})
	return err
}

// FetchLike implements app/settlement.Messenger: a signed GET of the Like
// from its server, applied as if delivered.
func (m *Messenger) FetchLike(ctx context.Context, likeURI string) error {
	resp, err := m.d.Getter.Get(ctx, likeURI, transport.DefaultAccept)
	if err != nil {
		return fmt.Errorf("fetch Like %s: %w", likeURI, err)
	}
	if resp.FinalURL != "" && hostOf(resp.FinalURL) != hostOf(likeURI) {
		return app.Errorf(app.EFORBIDDEN, "the Like %s redirected to another server (%s)", likeURI, resp.FinalURL)
	}
	return m.d.Likes.ApplyFetchedLike(ctx, resp.Body)
}

// ClaimNotice implements app/escrow.ClaimMessenger: a Create of a signed
// Claim, to the peer's instance actor.
func (m *Messenger) ClaimNotice(ctx context.Context, c *app.Claim, peer *app.Peer) error {
	id := fmt.Sprintf("%s/claims/%d#%s", m.d.URLs.Base(), c.ID, url.PathEscape(peer.Host))
	raw, err := m.d.Prover.Sign(ctx, ClaimDocument(c, id, m.me(), peer.InstanceActor, m.d.Now()))
	if err != nil {
		return fmt.Errorf("sign claim notice %d: %w", c.ID, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("claim notice %d: %w", c.ID, err)
	}
	act := as2.Document{
		"@context": Context(),
		"id":       m.activityID(id, "create"),
		"type":     "Create",
		"actor":    m.me(),
		"to":       []any{peer.InstanceActor},
		"object":   doc,
	}
	_, err = m.d.Publisher.Publish(ctx, m.me(), act, []string{peer.InstanceActor})
	return err
}

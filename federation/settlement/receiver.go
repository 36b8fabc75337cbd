package settlement

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/plaudit/plaudit/app"
	appsettlement "github.com/plaudit/plaudit/app/settlement"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/transport"
)

// Service is the settlement use case the receiver hands messages to
// (app/settlement.Service).
type Service interface {
	Receive(ctx context.Context, in appsettlement.Incoming) (*app.Statement, error)
	Answered(ctx context.Context, a appsettlement.Answer) error
	Settled(ctx context.Context, in appsettlement.PeerSettlement) (*app.Settlement, error)
	Statement(ctx context.Context, uri string) (*app.Statement, error)
}

// PeerClaims takes claim notices (app/escrow.Service).
type PeerClaims interface {
	PeerClaimed(ctx context.Context, pc app.PeerClaim) (int, error)
}

// Receiver reads settlement messages delivered to the inbox: it checks
// each document's integrity proof, that the proof and the delivery are by
// the same actor, and hands the message to the use case, which checks
// that actor is the peer's instance actor.
type Receiver struct {
	svc    Service
	prover Prover
	get    Getter
	urls   federation.URLs
	claims PeerClaims
}

// WithClaims makes the receiver take claim notices too.
func (r *Receiver) WithClaims(c PeerClaims) *Receiver {
	r.claims = c
	return r
}

// NewReceiver returns a Receiver; get fetches statements offered by id.
func NewReceiver(svc Service, prover Prover, get Getter, urls federation.URLs) *Receiver {
	return &Receiver{svc: svc, prover: prover, get: get, urls: urls}
}

// verified checks raw's proof is by actor.
func (r *Receiver) verified(ctx context.Context, raw []byte, actor, what string) error {
	controller, err := r.prover.Verify(ctx, raw)
	if err != nil {
		var ae *app.Error
		if errors.As(err, &ae) && (ae.Code == app.EUNAVAILABLE || ae.Code == app.EINTERNAL) {
			return err
		}
		return &app.Error{Code: app.EFORBIDDEN, Message: "the " + what + "'s integrity proof does not verify", Err: err}
	}
	if controller != actor {
		return app.Errorf(app.EFORBIDDEN, "the %s is signed by %s but delivered by %s", what, controller, actor)
	}
	return nil
}

// Offer applies an Offer: of a Statement (embedded, or by id to fetch),
// reconciled and answered. An Offer of anything else is refused.
func (r *Receiver) Offer(ctx context.Context, act *as2.Activity) error {
	raw := []byte(act.Object)
	if !act.ObjectEmbedded() {
		id := act.ObjectID()
		if id == "" || hostOf(id) != hostOf(act.Actor) {
			return app.Errorf(app.EINVALID, "the Offer's object %q is not on the offering server", id)
		}
		resp, err := r.get.Get(ctx, id, transport.DefaultAccept)
		if err != nil {
			return &app.Error{Code: app.EUNAVAILABLE, Message: "could not fetch the offered statement " + id, Err: err}
		}
		raw = resp.Body
	} else if !slices.Contains(act.ObjectTypes(), TypeStatement) {
		return app.Errorf(app.EINVALID, "Plaudit accepts Offers of statements only, not of %v", act.ObjectTypes())
	}
	if err := r.verified(ctx, raw, act.Actor, "statement"); err != nil {
		return err
	}
	st, by, err := ParseStatement(raw)
	if err != nil {
		return err
	}
	if by != act.Actor {
		return app.Errorf(app.EFORBIDDEN, "statement %s is attributed to %s but offered by %s", st.URI, by, act.Actor)
	}
	if hostOf(st.URI) != hostOf(act.Actor) {
		return app.Errorf(app.EFORBIDDEN, "statement %s is not on the server of %s", st.URI, act.Actor)
	}
	_, err = r.svc.Receive(ctx, appsettlement.Incoming{Statement: st, Sender: act.Actor})
	return err
}

// Answer applies an Accept or Reject of a statement this instance
// offered; false when the object is no statement of this instance's.
func (r *Receiver) Answer(ctx context.Context, act *as2.Activity, accepted bool) (bool, error) {
	uri := act.ObjectID()
	if act.ObjectEmbedded() {
		if inner, err := act.ParsedActivity(); err == nil && inner.Type == "Offer" {
			uri = inner.ObjectID()
		}
	}
	if !strings.HasPrefix(uri, r.urls.Base()+"/statements/") {
		return false, nil
	}
	a := appsettlement.Answer{StatementURI: uri, By: act.Actor, Accepted: accepted}
	if !accepted {
		var doc map[string]any
		if err := json.Unmarshal(act.Raw, &doc); err == nil {
			a.Reasons = disputesOf(doc["disputes"])
		}
		if len(a.Reasons) == 0 {
			a.Reasons = []app.Dispute{{Line: -1, Reason: "rejected without reasons"}}
		}
	}
	return true, r.svc.Answered(ctx, a)
}

// Create applies a Create of a Settlement or a Claim; false when the
// object is something else.
func (r *Receiver) Create(ctx context.Context, act *as2.Activity) (bool, error) {
	if r.claims != nil && slices.Contains(act.ObjectTypes(), TypeClaim) {
		return true, r.claim(ctx, act)
	}
	if !slices.Contains(act.ObjectTypes(), TypeSettlement) {
		return false, nil
	}
	raw := []byte(act.Object)
	if err := r.verified(ctx, raw, act.Actor, "settlement"); err != nil {
		return true, err
	}
	s, err := ParseSettlement(raw)
	if err != nil {
		return true, err
	}
	if s.By != act.Actor || hostOf(s.URI) != hostOf(act.Actor) {
		return true, app.Errorf(app.EFORBIDDEN, "settlement %s is not by %s", s.URI, act.Actor)
	}
	_, err = r.svc.Settled(ctx, appsettlement.PeerSettlement{URI: s.URI, Sender: act.Actor, Month: s.Month, Currency: s.Amount.Currency,
		Payer: s.Payer, Payee: s.Payee, Amount: s.Amount.Minor, Reference: s.Reference, Document: raw})
	if err != nil {
		return true, fmt.Errorf("settlement %s: %w", s.URI, err)
	}
	return true, nil
}

// claim applies a claim notice: checked, then handed to the escrow use
// case.
func (r *Receiver) claim(ctx context.Context, act *as2.Activity) error {
	raw := []byte(act.Object)
	if err := r.verified(ctx, raw, act.Actor, "claim"); err != nil {
		return err
	}
	c, by, err := ParseClaim(raw)
	if err != nil {
		return err
	}
	if by != act.Actor || hostOf(c.URI) != hostOf(act.Actor) {
		return app.Errorf(app.EFORBIDDEN, "claim %s is not by %s", c.URI, act.Actor)
	}
	c.PeerHost, c.Sender = hostOf(act.Actor), act.Actor
	_, err = r.claims.PeerClaimed(ctx, *c)
	return err
}

func hostOf(uri string) string {
	u := strings.TrimPrefix(strings.TrimPrefix(uri, "https://"), "http://")
	if i := strings.IndexAny(u, "/?#"); i >= 0 {
		u = u[:i]
	}
	return strings.ToLower(u)
}

package inbox

import (
	"context"
	"net/url"
	"strings"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// Settlements read the settlement messages between instance actors
// (implemented by federation/settlement.Receiver): Offers of statements,
// their answers, and settlements.
type Settlements interface {
	Offer(ctx context.Context, act *as2.Activity) error
	// Answer and Create report false when the activity is not theirs.
	Answer(ctx context.Context, act *as2.Activity, accepted bool) (bool, error)
	Create(ctx context.Context, act *as2.Activity) (bool, error)
}

// offer hands an Offer to the settlement use case.
func (in *Inbox) offer(ctx context.Context, _ *app.Activity, act *as2.Activity) error {
	if in.settlements == nil {
		return in.ignore(ctx, act, "this server reads no Offers")
	}
	return in.settlements.Offer(ctx, act)
}

// ApplyFetchedLike applies a Like fetched from its server (a statement
// named it, but it never arrived) as if it had been delivered: the fetch
// came from the Like's own server, so it stands for the actor there.
func (in *Inbox) ApplyFetchedLike(ctx context.Context, raw []byte) error {
	act, err := as2.ParseActivity(raw)
	if err != nil {
		return &app.Error{Code: app.EINVALID, Message: "the fetched Like is malformed", Err: err}
	}
	if act.Type != "Like" {
		return app.Errorf(app.EINVALID, "the fetched activity %s is a %s, not a Like", act.ID, act.Type)
	}
	if hostOfURI(act.ID) == "" || hostOfURI(act.ID) != hostOfURI(act.Actor) {
		return app.Errorf(app.EFORBIDDEN, "the Like %s is not on the server of its actor %s", act.ID, act.Actor)
	}
	return in.like(ctx, nil, act)
}

func hostOfURI(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

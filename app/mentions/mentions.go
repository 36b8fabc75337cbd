// Package mentions holds flattring by reply: a funder whose fediverse
// account lives on another server, once it is linked to their account
// here (a verified claim: the two link to each other), replies to any post
// mentioning this instance's flattr actor, optionally with a weight such
// as "+3", and the post replied to is flattred. The flattr actor answers
// with a direct message saying what it did, or why it did not.
package mentions

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/flattrs"
)

// Mention is a reply that mentioned the flattr actor.
type Mention struct {
	NoteURI   string // the reply
	ActorURI  string // who wrote it
	InReplyTo string // the post to flattr
	Text      string // the reply's text, without markup
}

// Store finds linked accounts and records handled replies.
type Store interface {
	VerifiedActorClaim(ctx context.Context, actorURI string) (*app.Claim, error)
	UserByID(ctx context.Context, id int64) (*app.User, error)
	MentionHandled(ctx context.Context, noteURI string) (bool, error)
	RecordMention(ctx context.Context, noteURI, actorURI, outcome string, at time.Time) (bool, error)
	UserByUsername(ctx context.Context, username string) (*app.User, error)
	InsertLinkCode(ctx context.Context, code string, userID int64, expires time.Time) error
	UseLinkCode(ctx context.Context, code, actorURI string, now time.Time) (int64, error)
	LinkedUser(ctx context.Context, actorURI string) (int64, error)
}

// codePattern finds a link code in a message.
var codePattern = regexp.MustCompile(`\bplaudit-[a-z2-7]{12}\b`)

// LinkCodeTTL is how long a link code may be used.
const LinkCodeTTL = time.Hour

// NewLinkCode makes a code that links to username's account the
// fediverse account that sends it, in a direct message mentioning the
// flattr actor, within LinkCodeTTL.
func (s *Service) NewLinkCode(ctx context.Context, username string) (string, time.Time, error) {
	u, err := s.d.Store.UserByUsername(ctx, username)
	if err != nil {
		return "", time.Time{}, err
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	code := "plaudit-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:12]
	expires := s.d.Now().Add(LinkCodeTTL).UTC()
	if err := s.d.Store.InsertLinkCode(ctx, code, u.ID, expires); err != nil {
		return "", time.Time{}, fmt.Errorf("link code: %w", err)
	}
	return code, expires, nil
}

// Flattrs makes flattrs (app/flattrs.Service).
type Flattrs interface {
	Flattr(ctx context.Context, username string, r flattrs.Request) (*app.Flattr, *app.Activity, error)
}

// Wallets tells what a funder's wallet holds (app/funding.Service).
type Wallets interface {
	Balance(ctx context.Context, username string) (app.Money, error)
}

// Replier sends the flattr actor's direct answer to a reply (federation),
// inside the transaction that records the reply as handled.
type Replier interface {
	Reply(ctx context.Context, to, inReplyTo, text string) error
}

// Deps are what the Service needs.
type Deps struct {
	Tx      app.Transactor
	Store   Store
	Flattrs Flattrs
	Wallets Wallets
	Replier Replier
	// Base is this instance's address, for the answers' links.
	Base string
	Now  func() time.Time
}

// Service flattrs by reply.
type Service struct{ d Deps }

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{d: d}
}

// weightPattern finds "+3" standing alone in a reply.
var weightPattern = regexp.MustCompile(`(?:^|\s)\+([0-9]{1,2})(?:\s|[.!,;]|$)`)

// Weight reads the weight a reply asks for: "+N" (1–10), else 1; ok is
// false for a number out of range.
func Weight(text string) (int, bool) {
	m := weightPattern.FindStringSubmatch(text)
	if m == nil {
		return app.DefaultWeight, true
	}
	w, _ := strconv.Atoi(m[1])
	return w, app.CheckWeight(w) == nil
}

// Handle flattrs the post m replies to for the funder linked to its
// author, and answers. A reply handled before is left alone.
func (s *Service) Handle(ctx context.Context, m Mention) error {
	done, err := s.d.Store.MentionHandled(ctx, m.NoteURI)
	if err != nil || done {
		return err
	}
	outcome, text, err := s.act(ctx, m)
	if err != nil {
		return fmt.Errorf("mention %s: %w", m.NoteURI, err)
	}
	return s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		recorded, err := s.d.Store.RecordMention(ctx, m.NoteURI, m.ActorURI, outcome, s.d.Now())
		if err != nil || !recorded {
			return err
		}
		return s.d.Replier.Reply(ctx, m.ActorURI, m.NoteURI, text)
	})
}

// act does what the reply asks and says what happened: an outcome for
// the record and the answer's text. An error is one of ours (retried).
func (s *Service) act(ctx context.Context, m Mention) (outcome, text string, err error) {
	if code := codePattern.FindString(strings.ToLower(m.Text)); code != "" {
		id, err := s.d.Store.UseLinkCode(ctx, code, m.ActorURI, s.d.Now())
		if err != nil {
			return "", "", err
		}
		if id == 0 {
			return "bad code", "That code is unknown, used or more than an hour old; make a new one on " + s.d.Base + ".", nil
		}
		u, err := s.d.Store.UserByID(ctx, id)
		if err != nil {
			return "", "", err
		}
		return "linked", fmt.Sprintf("Your account is now linked to %s on %s: reply to a post and mention me (with +1 to +10 for the weight) to flattr it.",
			u.Username, s.d.Base), nil
	}
	userID, err := s.linkedUser(ctx, m.ActorURI)
	if app.ErrorCode(err) == app.ENOTFOUND {
		return "not linked", fmt.Sprintf("Your account is not linked to a funder account on %s, so nothing was flattred. "+
			"Sign up at %s, then claim your account there (Settings, Claims) and add the alias it gives you to your profile, "+
			"or make a link code there and send it to me in a direct message; "+
			"after that, a reply mentioning me flattrs the post you reply to.", s.d.Base, s.d.Base), nil
	}
	if err != nil {
		return "", "", err
	}
	user, err := s.d.Store.UserByID(ctx, userID)
	if err != nil {
		return "", "", err
	}
	if m.InReplyTo == "" {
		return "no post", "Reply to the post you want to flattr and mention me in the reply; nothing was flattred.", nil
	}
	weight, ok := Weight(m.Text)
	if !ok {
		return "bad weight", fmt.Sprintf("A flattr weighs +%d to +%d; nothing was flattred.", app.MinWeight, app.MaxWeight), nil
	}
	wallet, err := s.d.Wallets.Balance(ctx, user.Username)
	if err != nil {
		return "", "", err
	}
	if wallet.Minor <= 0 {
		return "no funds", fmt.Sprintf("Your wallet is empty, so nothing was flattred: top it up at %s/dashboard.", s.d.Base), nil
	}
	f, _, err := s.d.Flattrs.Flattr(ctx, user.Username, flattrs.Request{URL: m.InReplyTo, Weight: weight})
	switch code := app.ErrorCode(err); {
	case err == nil:
		return "flattred", fmt.Sprintf("Flattred %s with weight %d for %s. Your budget is shared out at the end of the month.", f.ThingURI, f.Weight, f.Month), nil
	case code == app.ECONFLICT:
		return "flattred before", "You flattred that post this month already.", nil
	case code == app.ENOTFOUND || code == app.EINVALID || code == app.EFORBIDDEN:
		return "not flattrable", "I could not flattr the post you replied to: " + app.ErrorMessage(err), nil
	}
	return "", "", err
}

// linkedUser is the funder actorURI is linked to: by a verified claim,
// else by a link code.
func (s *Service) linkedUser(ctx context.Context, actorURI string) (int64, error) {
	claim, err := s.d.Store.VerifiedActorClaim(ctx, actorURI)
	if err == nil {
		return claim.UserID, nil
	}
	if app.ErrorCode(err) != app.ENOTFOUND {
		return 0, err
	}
	return s.d.Store.LinkedUser(ctx, actorURI)
}

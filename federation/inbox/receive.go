package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/dereference"
	"github.com/plaudit/plaudit/federation/httpsig"
)

// refusal is an answer other than 202, with what to log about it.
type refusal struct {
	status int
	msg    string // shown to the sender
	err    error  // logged
	retry  time.Duration
}

func refuse(status int, err error, format string, args ...any) *refusal {
	return &refusal{status: status, msg: fmt.Sprintf(format, args...), err: err}
}

// ServeShared receives for every local actor: POST /inbox and
// /actor/inbox.
func (in *Inbox) ServeShared(w http.ResponseWriter, r *http.Request) { in.receive(w, r, "") }

// ServeUser receives for the user name: POST /users/{name}/inbox.
func (in *Inbox) ServeUser(w http.ResponseWriter, r *http.Request, name string) {
	name, err := app.NormalizeUsername(name)
	if err == nil {
		err = in.userExists(r.Context(), name)
	}
	switch {
	case errors.Is(err, app.ErrNotFound), app.ErrorCode(err) == app.EINVALID:
		in.answer(w, r, refuse(http.StatusNotFound, err, "no such user"), "", "")
		return
	case err != nil:
		in.answer(w, r, refuse(http.StatusInternalServerError, err, "internal error"), "", "")
		return
	}
	in.receive(w, r, name)
}

// receive runs the checks in order of cost, stores the activity and
// answers 202; owner is the user whose inbox was posted to, or "".
func (in *Inbox) receive(w http.ResponseWriter, req *http.Request, owner string) {
	keyID := signatureKeyID(req)
	host := dereference.HostOf(keyID)
	if r := in.accept(req, owner, keyID, host); r != nil {
		in.answer(w, req, r, keyID, host)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// accept checks and stores the request; nil means 202.
func (in *Inbox) accept(req *http.Request, owner, keyID, host string) *refusal {
	ctx := req.Context()
	if r := in.checkHost(req); r != nil {
		return r
	}
	if r := checkContentType(req); r != nil {
		return r
	}
	addr := federation.ClientIP(req)
	if r := in.limitAddress(addr, keyID == ""); r != nil {
		return r
	}
	if r := in.screenHost(ctx, host); r != nil {
		return r
	}
	body, r := in.readBody(req)
	if r != nil {
		return r
	}
	res, err := in.verifier.Verify(ctx, req, body)
	if err != nil {
		// Only the sender's address pays for a signature that fails: the
		// host it names may be an innocent server whose key was forged.
		if keyID != "" { // an unsigned request has paid already
			in.chargeAddress(addr)
		}
		return in.unverified(ctx, body, keyID, err)
	}
	if r := in.rateLimit(host); r != nil {
		return r
	}
	if in.reachable != nil {
		if err := in.reachable(ctx, host); err != nil {
			in.log.WarnContext(ctx, "inbox: could not mark the host reachable", "host", host, "err", err)
		}
	}
	act, r := in.checkActivity(ctx, body, res, host)
	if r != nil {
		return r
	}
	return in.record(ctx, act, body, owner)
}

// unverified answers a request whose signature failed: 202 for the Delete
// of an actor that is gone (its key with it), an error otherwise.
func (in *Inbox) unverified(ctx context.Context, body []byte, keyID string, err error) *refusal {
	if in.goneActorDelete(ctx, body, keyID, err) {
		return nil
	}
	status := verifyStatus(err)
	if status == http.StatusServiceUnavailable {
		r := refuse(status, err, "%v", httpsig.ErrKeyFetchBusy)
		r.retry = 5 * time.Second
		return r
	}
	if status >= 500 {
		return refuse(status, err, "internal error")
	}
	return refuse(status, err, "signature refused: %v", err)
}

// verifyStatus is httpsig.StatusCode, except that a body that does not
// match its digest is 401 rather than 400: the body is not what was
// signed, which is an authentication failure (Mastodon answers 401 too).
func verifyStatus(err error) int {
	if errors.Is(err, httpsig.ErrDigestMismatch) {
		return http.StatusUnauthorized
	}
	return httpsig.StatusCode(err)
}

// checkActivity parses the activity, matches it with the signer and asks
// moderation about its actor; keyHost is the signing key's host, already
// checked against domain blocks.
func (in *Inbox) checkActivity(ctx context.Context, body []byte, res *httpsig.Result, keyHost string) (*as2.Activity, *refusal) {
	if !utf8.Valid(body) {
		// JSON must be UTF-8, and PostgreSQL would refuse to store it.
		return nil, refuse(http.StatusBadRequest, nil, "malformed activity: the body is not valid UTF-8")
	}
	act, err := as2.ParseActivity(body)
	if err != nil {
		return nil, refuse(http.StatusBadRequest, err, "malformed activity: %v", err)
	}
	if act.Actor == "" {
		return nil, refuse(http.StatusBadRequest, nil, "activity %s has no actor", act.ID)
	}
	if !as2.SameID(act.Actor, res.Owner) {
		// Forwarded activities (signed by someone else than their actor)
		// are refused: see docs/federation.md.
		return nil, refuse(http.StatusUnauthorized, nil, "activity actor %s is not the owner of key %s (%s)", act.Actor, res.KeyID, res.Owner)
	}
	if !dereference.SameHost(act.ID, act.Actor) {
		return nil, refuse(http.StatusBadRequest, nil, "activity id %s is not on the host of its actor %s", act.ID, act.Actor)
	}
	if r := in.moderate(ctx, act.Actor, keyHost); r != nil {
		return nil, r
	}
	return act, nil
}

// record stores the activity once; the batch writer hands it to the queue.
func (in *Inbox) record(ctx context.Context, act *as2.Activity, body []byte, owner string) *refusal {
	row := &app.Activity{
		URI: act.ID, Type: act.Type, ActorURI: act.Actor, ObjectURI: act.ObjectID(),
		Public: act.Public(), InboxOwner: owner, Document: string(body),
		State: app.ActivityPending, CreatedAt: in.now().UTC(),
	}
	if batchable(act.Type) {
		// Read the flattr terms here, beside the other requests, rather
		// than in the batch's transaction, which one writer runs at a time.
		_, _, _ = act.FlattrTerms()
	}
	inserted, err := in.batch.insertParsed(ctx, row, act)
	if err != nil {
		return refuse(http.StatusInternalServerError, err, "internal error")
	}
	if !inserted {
		in.log.DebugContext(ctx, "inbox: duplicate activity", "activity", act.ID, "actor", act.Actor)
		return nil
	}
	in.log.DebugContext(ctx, "inbox: activity accepted", "activity", act.ID, "type", act.Type, "actor", act.Actor)
	return nil
}

// answer writes a refusal as {"error": "..."} and logs it.
func (in *Inbox) answer(w http.ResponseWriter, req *http.Request, r *refusal, keyID, host string) {
	level := "refused"
	log := in.log.InfoContext
	if r.status >= 500 {
		level, log = "failed", in.log.ErrorContext
	}
	log(req.Context(), "inbox: request "+level, "status", r.status, "host", host, "key_id", keyID,
		"path", req.URL.Path, "reason", r.msg, "err", r.err)
	if r.retry > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(r.retry.Seconds()))))
	}
	body, _ := json.Marshal(map[string]string{"error": r.msg})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(r.status)
	_, _ = w.Write(body)
}

// insert stores a received activity once, batched with concurrent
// requests.
func (in *Inbox) insert(ctx context.Context, row *app.Activity) (bool, error) {
	return in.batch.insert(ctx, row)
}

// checkHost refuses a request for another host: the signature covers Host,
// so a request signed for another server's inbox and sent here with that
// server's name must not be taken as ours. Behind a reverse proxy, the
// proxy must pass the Host header on (docs/operations.md).
func (in *Inbox) checkHost(req *http.Request) *refusal {
	if sameHost(req.Host, in.urls.Host()) {
		return nil
	}
	return refuse(http.StatusMisdirectedRequest, nil, "this inbox is on %s, not %s", in.urls.Host(), req.Host)
}

// sameHost compares two host[:port] values, case-insensitively and with
// the default ports left out.
func sameHost(a, b string) bool {
	norm := func(h string) string {
		h = strings.ToLower(h)
		return strings.TrimSuffix(strings.TrimSuffix(h, ":443"), ":80")
	}
	return norm(a) == norm(b)
}

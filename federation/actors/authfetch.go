package actors

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/plaudit/plaudit/federation/httpsig"
)

// signerKey is the request context key of the verified fetcher's actor id.
type signerKey struct{}

// signatureErrors are the verification failures whose text is safe to send
// back; anything else (a key fetch that failed, say) is only logged.
var signatureErrors = []error{
	httpsig.ErrMissingSignature, httpsig.ErrUnsupportedScheme, httpsig.ErrMalformedSignature,
	httpsig.ErrHeaderNotSigned, httpsig.ErrInvalidDate, httpsig.ErrStaleDate, httpsig.ErrUnknownKey,
	httpsig.ErrUnsupportedKey, httpsig.ErrBadSignature, httpsig.ErrReplay,
}

// Signed wraps the handler of a collection, activity or object: it lets a
// request through when authorized fetch is off, or when it carries a valid
// signature of an actor that moderation allows. Others get 401 (or 400 for
// a malformed signature, 403 for a blocked signer).
func (h *Handlers) Signed(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !h.deps.AuthorizedFetch {
			next(w, r)
			return
		}
		h.signedFetch(w, r, next)
	}
}

func (h *Handlers) signedFetch(w http.ResponseWriter, r *http.Request, next http.HandlerFunc) {
	ctx := r.Context()
	res, err := h.deps.Verifier.Verify(ctx, r, nil)
	if err != nil {
		status := httpsig.StatusCode(err)
		if status >= http.StatusInternalServerError {
			h.log.ErrorContext(ctx, "verify signed fetch", "path", r.URL.Path, "err", err)
			fail(w, status, "could not verify the signature")
			return
		}
		h.log.InfoContext(ctx, "signed fetch refused", "path", r.URL.Path, "status", status, "err", err)
		w.Header().Set("WWW-Authenticate", `Signature realm="`+h.urls.Host()+`",headers="(request-target) host date"`)
		fail(w, status, "this server requires signed requests (authorized fetch): "+reason(err))
		return
	}
	if h.deps.Moderation != nil {
		allowed, err := h.allowed(r, res.Owner)
		if err != nil {
			h.internalError(w, r, err)
			return
		}
		if !allowed {
			fail(w, http.StatusForbidden, "blocked")
			return
		}
	}
	next(w, r.WithContext(context.WithValue(r.Context(), signerKey{}, res.Owner)))
}

func (h *Handlers) allowed(r *http.Request, owner string) (bool, error) {
	u, err := url.Parse(owner)
	if err != nil || u.Host == "" {
		return false, nil
	}
	return h.deps.Moderation.Allows(r.Context(), strings.ToLower(u.Hostname()), owner)
}

// reason is the safe text of a signature error.
func reason(err error) string {
	for _, e := range signatureErrors {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	return "signature not accepted"
}

// Signer returns the id of the actor whose signed fetch is being served,
// or "" when the request was not verified (authorized fetch off).
func Signer(r *http.Request) string {
	owner, _ := r.Context().Value(signerKey{}).(string)
	return owner
}

// SignedAlways wraps the handler of a document that only some servers may
// read (a statement, a Like addressed to one server): it always asks for a
// valid signature, whether authorized fetch is on or not, and the handler
// reads the signer with Signer.
func (h *Handlers) SignedAlways(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if Signer(r) != "" {
			next(w, r)
			return
		}
		h.signedFetch(w, r, next)
	}
}

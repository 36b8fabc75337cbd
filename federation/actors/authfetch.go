package actors

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/federation/httpsig"
)

// signerKey is the gin context key of the verified fetcher's actor id.
const signerKey = "actors.signer"

// signatureErrors are the verification failures whose text is safe to send
// back; anything else (a key fetch that failed, say) is only logged.
var signatureErrors = []error{
	httpsig.ErrMissingSignature, httpsig.ErrUnsupportedScheme, httpsig.ErrMalformedSignature,
	httpsig.ErrHeaderNotSigned, httpsig.ErrInvalidDate, httpsig.ErrStaleDate, httpsig.ErrUnknownKey,
	httpsig.ErrUnsupportedKey, httpsig.ErrBadSignature, httpsig.ErrReplay,
}

// signedFetch lets a request through when authorized fetch is off, or when
// it carries a valid signature of an actor that moderation allows. Others
// get 401 (or 400 for a malformed signature, 403 for a blocked signer).
func (h *Handlers) signedFetch(c *gin.Context) {
	if !h.deps.AuthorizedFetch {
		c.Next()
		return
	}
	ctx := c.Request.Context()
	res, err := h.deps.Verifier.Verify(ctx, c.Request, nil)
	if err != nil {
		status := httpsig.StatusCode(err)
		if status >= http.StatusInternalServerError {
			h.log.ErrorContext(ctx, "verify signed fetch", "path", c.Request.URL.Path, "err", err)
			fail(c, status, "could not verify the signature")
			return
		}
		h.log.InfoContext(ctx, "signed fetch refused", "path", c.Request.URL.Path, "status", status, "err", err)
		c.Header("WWW-Authenticate", `Signature realm="`+h.urls.Host()+`",headers="(request-target) host date"`)
		fail(c, status, "this server requires signed requests (authorized fetch): "+reason(err))
		return
	}
	if h.deps.Moderation != nil {
		allowed, err := h.allowed(c, res.Owner)
		if err != nil {
			h.internalError(c, err)
			return
		}
		if !allowed {
			fail(c, http.StatusForbidden, "blocked")
			return
		}
	}
	c.Set(signerKey, res.Owner)
	c.Next()
}

func (h *Handlers) allowed(c *gin.Context, owner string) (bool, error) {
	u, err := url.Parse(owner)
	if err != nil || u.Host == "" {
		return false, nil
	}
	return h.deps.Moderation.Allows(c.Request.Context(), strings.ToLower(u.Hostname()), owner)
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
func Signer(c *gin.Context) string { return c.GetString(signerKey) }

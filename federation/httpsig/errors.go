package httpsig

import (
	"errors"
	"net/http"
)

// Errors returned by [Verifier.Verify], each safe to show to the sender. They
// are wrapped with detail; test for them with errors.Is.
var (
	// ErrMissingSignature: the request has neither a Signature header nor
	// an "Authorization: Signature …" header.
	ErrMissingSignature = errors.New("request is not signed")
	// ErrUnsupportedScheme: the request is signed in a scheme this server
	// does not verify yet (RFC 9421, announced by Signature-Input).
	ErrUnsupportedScheme = errors.New("unsupported signature scheme")
	// ErrMalformedSignature: the signature header cannot be parsed.
	ErrMalformedSignature = errors.New("malformed signature header")
	// ErrHeaderNotSigned: a header that must be covered is not among the
	// signed headers.
	ErrHeaderNotSigned = errors.New("required header not signed")
	// ErrMissingDigest: the request has a body but no Digest header.
	ErrMissingDigest = errors.New("missing digest header")
	// ErrUnsupportedDigest: the Digest header offers no SHA-256 or SHA-512.
	ErrUnsupportedDigest = errors.New("unsupported digest algorithm")
	// ErrDigestMismatch: the Digest header does not match the body.
	ErrDigestMismatch = errors.New("digest does not match body")
	// ErrInvalidDate: the Date header is missing or cannot be parsed.
	ErrInvalidDate = errors.New("missing or invalid date header")
	// ErrStaleDate: the Date header (or the expires parameter) is outside
	// the accepted time window.
	ErrStaleDate = errors.New("signature date outside the accepted window")
	// ErrUnknownKey: the key named by keyId cannot be found. Key resolvers
	// return it (wrapped) for keys that do not exist.
	ErrUnknownKey = errors.New("unknown signing key")
	// ErrUnsupportedKey: the key is neither RSA nor Ed25519.
	ErrUnsupportedKey = errors.New("unsupported key type")
	// ErrBadSignature: the signature does not verify with the sender's key.
	ErrBadSignature = errors.New("signature does not verify")
	// ErrReplay: this exact signature was already accepted.
	ErrReplay = errors.New("signature already used")
	// ErrKeyFetchBusy: the key must be fetched, and this server fetches
	// as many keys as it allows at once; the sender should retry soon.
	ErrKeyFetchBusy = errors.New("too many signing keys being fetched; retry shortly")
)

// StatusCode is the HTTP status that answers a verification error: 400 for a
// request that is malformed, 401 for one whose signature is absent or not
// accepted (senders that speak several schemes retry another one after a
// 401), 503 when the key cannot be fetched now (ErrKeyFetchBusy), 500 for
// anything else, such as a key resolver or replay cache that
// failed, and 200 for nil.
func StatusCode(err error) int {
	if err == nil {
		return http.StatusOK
	}
	if errors.Is(err, ErrKeyFetchBusy) {
		return http.StatusServiceUnavailable
	}
	for _, e := range []error{ErrMalformedSignature, ErrInvalidDate, ErrMissingDigest, ErrUnsupportedDigest, ErrDigestMismatch} {
		if errors.Is(err, e) {
			return http.StatusBadRequest
		}
	}
	for _, e := range []error{ErrMissingSignature, ErrUnsupportedScheme, ErrHeaderNotSigned, ErrStaleDate, ErrUnknownKey, ErrUnsupportedKey, ErrBadSignature, ErrReplay} {
		if errors.Is(err, e) {
			return http.StatusUnauthorized
		}
	}
	return http.StatusInternalServerError
}

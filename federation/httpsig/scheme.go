package httpsig

import (
	"crypto"
	"net/http"
	"time"
)

// scheme is one way of signing HTTP requests. The Verifier asks each scheme
// in turn whether the request carries its signature; draft-cavage is the
// only one today, RFC 9421 message signatures can join it.
type scheme interface {
	// parse returns the request's signature in this scheme, ok false when
	// the request carries none, or an error when it carries a broken one.
	parse(r *http.Request) (sig signature, ok bool, err error)
}

// signature is a parsed signature of some scheme. The Verifier runs the
// checks in the order of the methods.
type signature interface {
	// keyID names the key to verify with.
	keyID() string
	// checkCoverage fails with ErrHeaderNotSigned unless the signature
	// covers what must be covered; hasBody tells whether the request's
	// content must be bound by a digest.
	checkCoverage(r *http.Request, hasBody bool) error
	// checkDigest compares the signed body digest with body.
	checkDigest(r *http.Request, body []byte) error
	// times returns when the request was signed and, if the signature
	// says so, when it expires (zero otherwise).
	times(r *http.Request) (signed, expires time.Time, err error)
	// verify checks the signature with key, failing with ErrBadSignature.
	verify(r *http.Request, key crypto.PublicKey) error
	// replayKey identifies the signature for the replay cache: only bytes
	// an attacker cannot vary while keeping the signature valid.
	replayKey() string
}

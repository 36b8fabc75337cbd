package httpsig

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	gofed "github.com/go-fed/httpsig"
)

// Headers Plaudit signs. Mastodon requires date on every request, digest on
// POST and host on GET; (request-target) binds the signature to the URL.
var (
	postHeaders = []string{gofed.RequestTarget, "host", "date", "digest"}
	getHeaders  = []string{gofed.RequestTarget, "host", "date"}
)

// algorithmRSASHA256 is the algorithm Plaudit declares. go-fed writes
// "hs2019"; Mastodon's own signer writes "rsa-sha256", which every server
// accepts, so the header is rewritten to say that.
const algorithmRSASHA256 = "rsa-sha256"

// Signer signs requests on behalf of one actor key. It is safe for
// concurrent use: each call builds its own go-fed signer.
type Signer struct {
	keyID string
	key   *rsa.PrivateKey
	now   func() time.Time
}

// NewSigner returns a Signer for the key whose public half is published at
// keyID (the actor's publicKey id, e.g. "https://h/users/a#main-key").
func NewSigner(keyID string, key *rsa.PrivateKey) *Signer {
	return &Signer{keyID: keyID, key: key, now: time.Now}
}

// WithClock returns a copy of s that dates requests with now.
func (s *Signer) WithClock(now func() time.Time) *Signer {
	c := *s
	c.now = now
	return &c
}

// KeyID is the key id the signatures name.
func (s *Signer) KeyID() string { return s.keyID }

// SignPOST sets Host, Date and Digest on r and signs it over
// "(request-target) host date digest". body must be exactly the bytes that
// will be sent; r.Body is not read. A Digest or Signature already on r, from
// an earlier attempt, is replaced.
func (s *Signer) SignPOST(r *http.Request, body []byte) error {
	if body == nil {
		body = []byte{}
	}
	r.Header.Del("Digest")
	return s.sign(r, postHeaders, body, true)
}

// SignGET sets Host and Date on r and signs it over
// "(request-target) host date". With withQuery false the (request-target)
// leaves out the query string: the second try of a "double knock", for
// servers that compute the target from the path alone.
func (s *Signer) SignGET(r *http.Request, withQuery bool) error {
	return s.sign(r, getHeaders, nil, withQuery)
}

func (s *Signer) sign(r *http.Request, headers []string, body []byte, withQuery bool) error {
	if s.key == nil {
		return errors.New("sign request: no private key")
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	if host == "" {
		return fmt.Errorf("sign request %s: no host", r.URL)
	}
	if !isASCII(host) {
		// Go's client would send the punycode form, which we did not sign.
		return fmt.Errorf("sign request %s: host must be in ASCII (punycode) form", r.URL)
	}
	r.Header.Set("Host", host)
	r.Header.Set("Date", s.now().UTC().Format(http.TimeFormat))
	r.Header.Del("Signature")

	signer, _, err := gofed.NewSigner([]gofed.Algorithm{gofed.RSA_SHA256}, gofed.DigestSha256, headers, gofed.Signature, 0)
	if err != nil {
		return fmt.Errorf("sign request %s: %w", r.URL, err)
	}
	if err := signer.SignRequest(s.key, s.keyID, targetRequest(r, withQuery), body); err != nil {
		return fmt.Errorf("sign request %s: %w", r.URL, err)
	}
	return s.declareAlgorithm(r)
}

// declareAlgorithm rewrites the algorithm go-fed declared ("hs2019") to
// "rsa-sha256", which is what was used.
func (s *Signer) declareAlgorithm(r *http.Request) error {
	p, err := ParseSignatureHeader(r.Header.Get("Signature"))
	if err != nil {
		return fmt.Errorf("sign request %s: reread signature: %w", r.URL, err)
	}
	p.Algorithm = algorithmRSASHA256
	r.Header.Set("Signature", p.String())
	return nil
}

// targetRequest is a shallow copy of r, sharing its Header, whose URL holds
// just the request target go-fed should sign: the escaped path as it goes on
// the wire ("/" when empty) and, if withQuery, the raw query.
func targetRequest(r *http.Request, withQuery bool) *http.Request {
	path, query := r.URL.EscapedPath(), r.URL.RawQuery
	if path == "" {
		path = "/"
	}
	if !withQuery {
		query = ""
	}
	c := new(http.Request)
	*c = *r
	c.URL = &url.URL{Path: path, RawQuery: query}
	return c
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

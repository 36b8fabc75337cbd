package httpsig

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gofed "github.com/go-fed/httpsig"
)

// cavageScheme is draft-cavage-http-signatures-12, the Signature header of
// Mastodon and its peers (or "Authorization: Signature …").
type cavageScheme struct{}

func (cavageScheme) parse(r *http.Request) (signature, bool, error) {
	if r.Header.Get("Signature-Input") != "" {
		// RFC 9421 reuses the Signature header name with its own syntax.
		return nil, false, nil
	}
	raw, ok, err := cavageHeader(r.Header)
	if err != nil || !ok {
		return nil, ok, err
	}
	p, err := ParseSignatureHeader(raw)
	if err != nil {
		return nil, false, err
	}
	return &cavageSignature{params: p}, true, nil
}

// cavageHeader finds the signature in the Signature header or, failing
// that, in an Authorization header of the Signature scheme.
func cavageHeader(h http.Header) (string, bool, error) {
	switch v := h.Values("Signature"); len(v) {
	case 0:
	case 1:
		return v[0], true, nil
	default:
		return "", false, fmt.Errorf("%w: %d Signature headers", ErrMalformedSignature, len(v))
	}
	for _, v := range h.Values("Authorization") {
		if hasPrefixFold(v, "Signature ") {
			return v, true, nil
		}
	}
	return "", false, nil
}

type cavageSignature struct {
	params Params
}

func (s *cavageSignature) keyID() string { return s.params.KeyID }

func (s *cavageSignature) checkCoverage(r *http.Request, hasBody bool) error {
	// host binds the signature to this server: without it a request
	// signed for another server's inbox would verify here too.
	required := []string{gofed.RequestTarget, "host", "date"}
	if hasBody {
		required = append(required, "digest")
	}
	for _, h := range required {
		if !s.params.Covers(h) {
			return fmt.Errorf("%w: %s (signed: %q)", ErrHeaderNotSigned, h, strings.Join(s.params.Headers, " "))
		}
	}
	return nil
}

func (s *cavageSignature) checkDigest(r *http.Request, body []byte) error {
	if !s.params.Covers("digest") {
		return nil
	}
	return checkDigestHeader(r.Header.Values("Digest"), body)
}

func (s *cavageSignature) times(r *http.Request) (signed, expires time.Time, err error) {
	date := r.Header.Get("Date")
	if date == "" {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: no Date header", ErrInvalidDate)
	}
	signed, err = http.ParseTime(date)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: %q", ErrInvalidDate, date)
	}
	if s.params.Expires != 0 {
		expires = time.Unix(s.params.Expires, 0)
	}
	return signed, expires, nil
}

// verify checks the signature with go-fed, first against the request target
// with its query, then, as Mastodon does, without it: some senders sign the
// path alone.
func (s *cavageSignature) verify(r *http.Request, key crypto.PublicKey) error {
	algo, err := goFedAlgorithm(key, s.params.Algorithm)
	if err != nil {
		return err
	}
	h := s.goFedHeader(r)
	path, query := requestTarget(r)
	targets := []string{query}
	if query != "" {
		targets = append(targets, "")
	}
	for _, q := range targets {
		req := &http.Request{Method: r.Method, URL: &url.URL{Path: path, RawQuery: q}, Header: h, Host: r.Host}
		ver, verr := gofed.NewVerifier(req)
		if verr == nil {
			verr = ver.Verify(key, algo)
		}
		if verr == nil {
			return nil
		}
		err = verr
	}
	return fmt.Errorf("%w: key %s: %v", ErrBadSignature, s.params.KeyID, err)
}

// goFedHeader is a copy of r's header for go-fed: the signature in a
// Signature header, reformatted so that go-fed's simple comma split reads it
// (the keyId, which go-fed does not need, replaced by a placeholder that has
// no commas), and Host set from r.Host as servers receive it.
func (s *cavageSignature) goFedHeader(r *http.Request) http.Header {
	h := r.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	p := s.params
	p.KeyID = "key"
	h.Del("Authorization")
	h.Set("Signature", p.String())
	if h.Get("Host") == "" && r.Host != "" {
		h.Set("Host", r.Host)
	}
	return h
}

// replayKey is the decoded signature: the base64 text can be varied (spare
// padding bits, line breaks) and the keyId respelled without changing what
// verifies, so neither is part of the key.
func (s *cavageSignature) replayKey() string {
	sig, err := base64.StdEncoding.DecodeString(s.params.Signature)
	if err != nil {
		return "cavage-raw:" + s.params.Signature
	}
	return "cavage:" + string(sig)
}

// goFedAlgorithm picks the algorithm from the key; the declared algorithm
// only chooses SHA-512 over SHA-256 for RSA.
func goFedAlgorithm(key crypto.PublicKey, declared string) (gofed.Algorithm, error) {
	switch key.(type) {
	case *rsa.PublicKey:
		if strings.EqualFold(declared, string(gofed.RSA_SHA512)) {
			return gofed.RSA_SHA512, nil
		}
		return gofed.RSA_SHA256, nil
	case ed25519.PublicKey:
		return gofed.ED25519, nil
	default:
		return "", fmt.Errorf("%w: %T", ErrUnsupportedKey, key)
	}
}

// requestTarget is the path and query the client sent: the raw request URI
// when the server recorded it, else the URL's escaped forms.
func requestTarget(r *http.Request) (path, query string) {
	if strings.HasPrefix(r.RequestURI, "/") {
		path, query, _ = strings.Cut(r.RequestURI, "?")
	} else {
		path, query = r.URL.EscapedPath(), r.URL.RawQuery
	}
	if path == "" {
		path = "/"
	}
	return path, query
}

// checkDigestHeader compares the Digest header (RFC 3230: comma-separated
// algorithm=base64 pairs) with body. Every SHA-256 or SHA-512 digest given
// must match, and at least one must be given.
func checkDigestHeader(values []string, body []byte) error {
	if len(values) == 0 {
		return ErrMissingDigest
	}
	var offered []string
	checked := 0
	for _, part := range strings.Split(strings.Join(values, ","), ",") {
		alg, value, _ := strings.Cut(strings.TrimSpace(part), "=")
		alg = strings.ToLower(strings.TrimSpace(alg))
		offered = append(offered, alg)
		want := bodyDigest(alg, body)
		if want == nil {
			continue
		}
		checked++
		got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
		if err != nil || !bytes.Equal(got, want) {
			return fmt.Errorf("%w: %s=%s given, %s=%s computed", ErrDigestMismatch,
				alg, strings.TrimSpace(value), alg, base64.StdEncoding.EncodeToString(want))
		}
	}
	if checked == 0 {
		return fmt.Errorf("%w: offered %q, want sha-256 or sha-512", ErrUnsupportedDigest, strings.Join(offered, ", "))
	}
	return nil
}

func bodyDigest(alg string, body []byte) []byte {
	switch alg {
	case "sha-256":
		sum := sha256.Sum256(body)
		return sum[:]
	case "sha-512":
		sum := sha512.Sum512(body)
		return sum[:]
	}
	return nil
}

// hasPrefixFold reports whether s starts with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

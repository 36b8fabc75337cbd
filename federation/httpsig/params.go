package httpsig

import (
	"fmt"
	"strconv"
	"strings"
)

// Params are the parameters of a draft-cavage signature header.
type Params struct {
	// KeyID names the key, usually the URL of the actor's publicKey.
	KeyID string
	// Algorithm is the declared algorithm ("rsa-sha256", "hs2019", …);
	// verification picks the algorithm from the key instead.
	Algorithm string
	// Headers are the covered headers, lower-cased, in signing order; nil
	// when the parameter is absent.
	Headers []string
	// Signature is the base64 signature.
	Signature string
	// Created and Expires are Unix times, zero when absent.
	Created int64
	Expires int64
}

// ParseSignatureHeader parses the value of a Signature header, or of an
// Authorization header after or including its "Signature " scheme. It is
// tolerant of what senders write: parameter names in any case, blanks around
// "=" and ",", quoted or bare values, backslash escapes in quoted ones, and
// unknown parameters (ignored). It fails on a repeated known parameter, an
// unterminated quote, a bad created/expires number, or a missing keyId or
// signature.
func ParseSignatureHeader(s string) (Params, error) {
	var p Params
	seen := map[string]bool{}
	sc := scanner{s: stripAuthScheme(s)}
	for {
		sc.skip(" \t,")
		if sc.done() {
			break
		}
		name, value, err := sc.param()
		if err != nil {
			return Params{}, fmt.Errorf("%w: %v", ErrMalformedSignature, err)
		}
		name = strings.ToLower(name)
		if !isKnownParam(name) {
			continue
		}
		if seen[name] {
			return Params{}, fmt.Errorf("%w: parameter %q repeated", ErrMalformedSignature, name)
		}
		seen[name] = true
		if err := p.set(name, value); err != nil {
			return Params{}, fmt.Errorf("%w: %v", ErrMalformedSignature, err)
		}
	}
	if p.KeyID == "" {
		return Params{}, fmt.Errorf("%w: no keyId", ErrMalformedSignature)
	}
	if p.Signature == "" {
		return Params{}, fmt.Errorf("%w: no signature", ErrMalformedSignature)
	}
	return p, nil
}

// String formats p as a Signature header value: keyId, algorithm, created,
// expires, headers and signature, quoted where the draft quotes them, with
// empty optional parameters left out.
func (p Params) String() string {
	var b strings.Builder
	b.WriteString(`keyId=` + quote(p.KeyID))
	if p.Algorithm != "" {
		b.WriteString(`,algorithm=` + quote(p.Algorithm))
	}
	if p.Created != 0 {
		b.WriteString(`,created=` + strconv.FormatInt(p.Created, 10))
	}
	if p.Expires != 0 {
		b.WriteString(`,expires=` + strconv.FormatInt(p.Expires, 10))
	}
	if len(p.Headers) > 0 {
		b.WriteString(`,headers=` + quote(strings.Join(p.Headers, " ")))
	}
	b.WriteString(`,signature=` + quote(p.Signature))
	return b.String()
}

// Covers tells whether the signature covers the header (lower-case name).
func (p Params) Covers(header string) bool {
	for _, h := range p.Headers {
		if h == header {
			return true
		}
	}
	return false
}

func (p *Params) set(name, value string) error {
	var err error
	switch name {
	case "keyid":
		p.KeyID = value
	case "algorithm":
		p.Algorithm = value
	case "headers":
		p.Headers = strings.Fields(strings.ToLower(value))
		if len(p.Headers) == 0 {
			p.Headers = nil
		}
	case "signature":
		p.Signature = value
	case "created":
		p.Created, err = strconv.ParseInt(value, 10, 64)
	case "expires":
		p.Expires, err = strconv.ParseInt(value, 10, 64)
	}
	if err != nil {
		return fmt.Errorf("parameter %s: %w", name, err)
	}
	return nil
}

func isKnownParam(name string) bool {
	switch name {
	case "keyid", "algorithm", "headers", "signature", "created", "expires":
		return true
	}
	return false
}

// stripAuthScheme removes a leading "Signature " auth scheme, as in an
// Authorization header, but not a leading signature="…" parameter.
func stripAuthScheme(s string) string {
	s = strings.TrimLeft(s, " \t")
	const scheme = "signature"
	if len(s) <= len(scheme) || !strings.EqualFold(s[:len(scheme)], scheme) {
		return s
	}
	if c := s[len(scheme)]; c != ' ' && c != '\t' {
		return s
	}
	rest := strings.TrimLeft(s[len(scheme):], " \t")
	if strings.HasPrefix(rest, "=") {
		return s
	}
	return rest
}

func quote(s string) string {
	if strings.ContainsAny(s, `"\`) {
		s = strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
	}
	return `"` + s + `"`
}

package httpsig

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// verifyAll verifies each request in turn and returns the errors.
func verifyAll(t *testing.T, v *Verifier, reqs []func() *http.Request, body []byte) []error {
	t.Helper()
	errs := make([]error, len(reqs))
	for i, mk := range reqs {
		_, errs[i] = v.Verify(context.Background(), mk(), body)
	}
	return errs
}

func TestVerifyReplay(t *testing.T) {
	post := signedPost(t, aliceKey(), testNow, inboxURL, likeBody)
	sig := post.Header.Get("Signature")
	get := signedGet(t, outboxURL, true)
	withSignature := func(r *http.Request, s string) *http.Request {
		c := r.Clone(context.Background())
		c.Header.Set("Signature", s)
		return c
	}
	tests := []struct {
		name      string
		replayGET bool
		reqs      []func() *http.Request
		body      []byte
		wantErrs  []error
	}{
		{
			name:     "post replayed",
			reqs:     []func() *http.Request{func() *http.Request { return wire(t, post.Clone(context.Background()), likeBody) }, func() *http.Request { return wire(t, post.Clone(context.Background()), likeBody) }},
			body:     likeBody,
			wantErrs: []error{nil, ErrReplay},
		},
		{
			name: "replayed with the signature respelled",
			reqs: []func() *http.Request{
				func() *http.Request { return wire(t, post.Clone(context.Background()), likeBody) },
				func() *http.Request {
					return wire(t, withSignature(post, respellPadding(t, sig)), likeBody)
				},
			},
			body:     likeBody,
			wantErrs: []error{nil, ErrReplay},
		},
		{
			name: "forged request does not poison the cache",
			reqs: []func() *http.Request{
				func() *http.Request {
					forged := post.Clone(context.Background())
					forged.URL.Path = "/users/dave/inbox"
					return wire(t, forged, likeBody)
				},
				func() *http.Request { return wire(t, post.Clone(context.Background()), likeBody) },
			},
			body:     likeBody,
			wantErrs: []error{ErrBadSignature, nil},
		},
		{
			name:     "identical gets allowed by default",
			reqs:     []func() *http.Request{func() *http.Request { return wire(t, get.Clone(context.Background()), nil) }, func() *http.Request { return wire(t, get.Clone(context.Background()), nil) }},
			wantErrs: []error{nil, nil},
		},
		{
			name:      "identical gets refused with ReplayGET",
			replayGET: true,
			reqs:      []func() *http.Request{func() *http.Request { return wire(t, get.Clone(context.Background()), nil) }, func() *http.Request { return wire(t, get.Clone(context.Background()), nil) }},
			wantErrs:  []error{nil, ErrReplay},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := mustVerifier(t, Options{KeyResolver: newResolver(), ReplayGET: tt.replayGET})
			errs := verifyAll(t, v, tt.reqs, tt.body)
			for i := range errs {
				if !errors.Is(errs[i], tt.wantErrs[i]) {
					t.Errorf("request %d: error = %v, want %v", i, errs[i], tt.wantErrs[i])
				}
			}
		})
	}
}

// respellPadding changes the unused low bits of the last base64 character
// of the signature: the bytes, and so the validity, stay the same.
func respellPadding(t *testing.T, header string) string {
	t.Helper()
	p, err := ParseSignatureHeader(header)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.TrimRight(p.Signature, "=")
	if len(p.Signature)-len(s) != 2 {
		t.Fatalf("signature %q does not end in ==", p.Signature)
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	last := strings.IndexByte(alphabet, s[len(s)-1])
	respelled := s[:len(s)-1] + string(alphabet[last^1]) + "=="
	a, _ := base64.StdEncoding.DecodeString(p.Signature)
	b, err := base64.StdEncoding.DecodeString(respelled)
	if err != nil || string(a) != string(b) || respelled == p.Signature {
		t.Fatalf("respelling failed: %v", err)
	}
	p.Signature = respelled
	return p.String()
}

// TestVerifyReplayExpires checks that a signature is remembered for as long
// as its Date stays acceptable, and no longer.
func TestVerifyReplayExpires(t *testing.T) {
	now := testNow
	clock := func() time.Time { return now }
	v := mustVerifier(t, Options{KeyResolver: newResolver(), Now: clock, Window: time.Hour, MaxClockSkew: 10 * time.Minute})
	// Signed 10 minutes ahead: acceptable until testNow+70m.
	post := signedPost(t, aliceKey(), testNow.Add(10*time.Minute), inboxURL, likeBody)
	verify := func() error {
		_, err := v.Verify(context.Background(), wire(t, post.Clone(context.Background()), likeBody), likeBody)
		return err
	}
	steps := []struct {
		at      time.Duration
		wantErr error
	}{
		{0, nil},
		{69 * time.Minute, ErrReplay},
		{71 * time.Minute, ErrStaleDate},
	}
	for _, s := range steps {
		now = testNow.Add(s.at)
		if err := verify(); !errors.Is(err, s.wantErr) {
			t.Errorf("at +%s: error = %v, want %v", s.at, err, s.wantErr)
		}
	}
}

package httpsig

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestSignerHeaders(t *testing.T) {
	tests := []struct {
		name       string
		sign       func(s *Signer, r *http.Request) error
		method     string
		url        string
		wantHeader http.Header
		wantParams Params
	}{
		{
			name:   "post",
			sign:   func(s *Signer, r *http.Request) error { return s.SignPOST(r, likeBody) },
			method: http.MethodPost, url: inboxURL,
			wantHeader: http.Header{
				"Content-Type": {"application/activity+json"},
				"Host":         {"plaudit.example"},
				"Date":         {"Sun, 01 Mar 2026 12:00:00 GMT"},
				"Digest":       {sha256Digest(likeBody)},
			},
			wantParams: Params{KeyID: aliceKeyID, Algorithm: "rsa-sha256", Headers: []string{"(request-target)", "host", "date", "digest"}},
		},
		{
			name:   "post with nil body",
			sign:   func(s *Signer, r *http.Request) error { return s.SignPOST(r, nil) },
			method: http.MethodPost, url: inboxURL,
			wantHeader: http.Header{
				"Content-Type": {"application/activity+json"},
				"Host":         {"plaudit.example"},
				"Date":         {"Sun, 01 Mar 2026 12:00:00 GMT"},
				"Digest":       {sha256Digest(nil)},
			},
			wantParams: Params{KeyID: aliceKeyID, Algorithm: "rsa-sha256", Headers: []string{"(request-target)", "host", "date", "digest"}},
		},
		{
			name:   "get on a port",
			sign:   func(s *Signer, r *http.Request) error { return s.SignGET(r, true) },
			method: http.MethodGet, url: "http://127.0.0.1:8080/users/carol",
			wantHeader: http.Header{
				"Accept": {"application/activity+json"},
				"Host":   {"127.0.0.1:8080"},
				"Date":   {"Sun, 01 Mar 2026 12:00:00 GMT"},
			},
			wantParams: Params{KeyID: aliceKeyID, Algorithm: "rsa-sha256", Headers: []string{"(request-target)", "host", "date"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(t, tt.method, tt.url)
			if err := tt.sign(NewSigner(aliceKeyID, aliceKey()).WithClock(fixedClock(testNow)), r); err != nil {
				t.Fatal(err)
			}
			p, err := ParseSignatureHeader(r.Header.Get("Signature"))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantParams, p, cmpopts.IgnoreFields(Params{}, "Signature")); diff != "" {
				t.Errorf("params (-want +got):\n%s", diff)
			}
			h := r.Header.Clone()
			h.Del("Signature")
			if diff := cmp.Diff(tt.wantHeader, h); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSignAgain signs one request twice, as a delivery retry does: the
// second signature replaces the first and verifies.
func TestSignAgain(t *testing.T) {
	r := newRequest(t, http.MethodPost, inboxURL)
	early := NewSigner(aliceKeyID, aliceKey()).WithClock(fixedClock(testNow.Add(-3 * time.Hour)))
	if err := early.SignPOST(r, likeBody); err != nil {
		t.Fatal(err)
	}
	if err := NewSigner(aliceKeyID, aliceKey()).WithClock(fixedClock(testNow)).SignPOST(r, likeBody); err != nil {
		t.Fatalf("second SignPOST: %v", err)
	}
	for _, h := range []string{"Signature", "Digest", "Date", "Host"} {
		if n := len(r.Header.Values(h)); n != 1 {
			t.Errorf("%d %s headers, want 1", n, h)
		}
	}
	v := mustVerifier(t, Options{KeyResolver: newResolver()})
	if _, err := v.Verify(context.Background(), wire(t, r, likeBody), likeBody); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestSignErrors(t *testing.T) {
	tests := []struct {
		name   string
		signer *Signer
		url    string
	}{
		{name: "no key", signer: NewSigner(aliceKeyID, nil), url: inboxURL},
		{name: "no host", signer: NewSigner(aliceKeyID, aliceKey()), url: "/users/carol/inbox"},
		{name: "unicode host", signer: NewSigner(aliceKeyID, aliceKey()), url: "https://plaudit.exämple/inbox"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(t, http.MethodPost, tt.url)
			if err := tt.signer.SignPOST(r, likeBody); err == nil {
				t.Fatalf("SignPOST succeeded, signature %q", r.Header.Get("Signature"))
			}
		})
	}
}

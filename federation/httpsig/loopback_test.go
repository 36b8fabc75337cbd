package httpsig

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// inboxServer is a loopback server that verifies every request and answers
// with StatusCode of the outcome, the signer's owner in the body.
func inboxServer(t *testing.T, v *Verifier) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		res, err := v.Verify(r.Context(), r, body)
		if err != nil {
			http.Error(w, err.Error(), StatusCode(err))
			return
		}
		fmt.Fprint(w, res.Owner)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestLoopback signs with the Signer and sends through Go's HTTP client to a
// real server, so Host, the request target and the body travel as they do
// between servers.
func TestLoopback(t *testing.T) {
	v := mustVerifier(t, Options{KeyResolver: newResolver(), Now: time.Now})
	srv := inboxServer(t, v)
	signer := NewSigner(aliceKeyID, aliceKey())
	tests := []struct {
		name       string
		method     string
		path       string
		body       []byte
		sign       func(r *http.Request) error
		wantStatus int
	}{
		{
			name: "post", method: http.MethodPost, path: "/users/carol/inbox", body: likeBody,
			sign:       func(r *http.Request) error { return signer.SignPOST(r, likeBody) },
			wantStatus: http.StatusOK,
		},
		{
			name: "get with query", method: http.MethodGet, path: "/users/carol/outbox?page=true",
			sign:       func(r *http.Request) error { return signer.SignGET(r, true) },
			wantStatus: http.StatusOK,
		},
		{
			name: "get double knock", method: http.MethodGet, path: "/users/carol/outbox?page=2",
			sign:       func(r *http.Request) error { return signer.SignGET(r, false) },
			wantStatus: http.StatusOK,
		},
		{
			name: "post with another body", method: http.MethodPost, path: "/users/carol/inbox", body: []byte(`{"type":"Delete"}`),
			sign:       func(r *http.Request) error { return signer.SignPOST(r, likeBody) },
			wantStatus: http.StatusBadRequest,
		},
		{
			name: "unsigned", method: http.MethodGet, path: "/users/carol",
			sign:       func(*http.Request) error { return nil },
			wantStatus: http.StatusUnauthorized,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := http.NewRequestWithContext(context.Background(), tt.method, srv.URL+tt.path, bytes.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.sign(r); err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(r)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, strings.TrimSpace(string(got)), tt.wantStatus)
			}
			if tt.wantStatus == http.StatusOK && string(got) != aliceActor {
				t.Errorf("owner %q, want %q", got, aliceActor)
			}
		})
	}
}

// TestConcurrentSignVerify shares one Signer and one Verifier between
// goroutines; run with -race.
func TestConcurrentSignVerify(t *testing.T) {
	v := mustVerifier(t, Options{KeyResolver: newResolver(), Now: time.Now})
	signer := NewSigner(aliceKeyID, aliceKey())
	const workers, each = 4, 5
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				body := []byte(fmt.Sprintf(`{"type":"Like","id":"https://remote.example/likes/%d-%d"}`, w, i))
				r, err := http.NewRequest(http.MethodPost, inboxURL, nil)
				if err == nil {
					err = signer.SignPOST(r, body)
				}
				if err == nil {
					r, err = wireErr(r, body)
				}
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := v.Verify(context.Background(), r, body); err != nil {
					t.Errorf("worker %d request %d: %v", w, i, err)
				}
			}
		}()
	}
	wg.Wait()
}

func TestStatusCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, http.StatusOK},
		{fmt.Errorf("x: %w", ErrMalformedSignature), http.StatusBadRequest},
		{ErrDigestMismatch, http.StatusBadRequest},
		{ErrMissingDigest, http.StatusBadRequest},
		{ErrInvalidDate, http.StatusBadRequest},
		{ErrMissingSignature, http.StatusUnauthorized},
		{ErrUnsupportedScheme, http.StatusUnauthorized},
		{ErrHeaderNotSigned, http.StatusUnauthorized},
		{fmt.Errorf("resolve: %w", ErrUnknownKey), http.StatusUnauthorized},
		{ErrBadSignature, http.StatusUnauthorized},
		{ErrStaleDate, http.StatusUnauthorized},
		{ErrReplay, http.StatusUnauthorized},
		{io.ErrUnexpectedEOF, http.StatusInternalServerError},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.err), func(t *testing.T) {
			if got := StatusCode(tt.err); got != tt.want {
				t.Errorf("StatusCode = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestNewVerifierErrors(t *testing.T) {
	tests := map[string]Options{
		"no resolver":     {},
		"negative window": {KeyResolver: newResolver(), Window: -time.Second},
		"negative skew":   {KeyResolver: newResolver(), MaxClockSkew: -time.Second},
	}
	for name, opts := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := NewVerifier(opts); err == nil {
				t.Error("NewVerifier succeeded")
			}
		})
	}
}

package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPost(t *testing.T) {
	activity := []byte(`{"@context":"https://www.w3.org/ns/activitystreams","type":"Like","actor":"https://p.example/users/a","object":"https://m.example/notes/1"}`)
	type seen struct {
		Method, ContentType, Host, Signature string
		Body                                 []byte
	}
	got := make(chan seen, 1)
	s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.Header.Get("Content-Type"), r.Host, r.Header.Get("Signature"), body}
		w.WriteHeader(http.StatusAccepted)
	}), false)
	signer := &fakeSigner{}
	c := devClient(Options{Signer: signer})

	resp, err := c.Post(context.Background(), s.URL+"/users/b/inbox", activity)
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	if resp.StatusCode != http.StatusAccepted {
		t.Errorf("status = %d, want 202", resp.StatusCode)
	}
	want := seen{
		Method:      http.MethodPost,
		ContentType: ContentTypeActivity,
		Host:        strings.TrimPrefix(s.URL, "http://"),
		Signature:   fakeSignature("/users/b/inbox", true),
		Body:        activity,
	}
	if diff := cmp.Diff(want, <-got); diff != "" {
		t.Errorf("request seen by server (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]byte{activity}, signer.postCalls()); diff != "" {
		t.Errorf("SignPOST bodies (-want +got):\n%s", diff)
	}
	if n := len(signer.getCalls()); n != 0 {
		t.Errorf("SignGET called %d times for a POST", n)
	}
}

// TestPostErrors: redirects are not followed, status and size limits hold.
func TestPostErrors(t *testing.T) {
	target := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	}), false)
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		wantErr   error
		status    int
		permanent bool
	}{
		{"redirect not followed", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL+"/inbox", http.StatusTemporaryRedirect)
		}, nil, http.StatusTemporaryRedirect, false},
		{"gone", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusGone) }, nil, http.StatusGone, true},
		{"rate limited", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTooManyRequests) }, nil, http.StatusTooManyRequests, false},
		{"server error", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) }, nil, http.StatusBadGateway, false},
		{"response too large", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write(bytes.Repeat([]byte("a"), 2048))
		}, ErrTooLarge, 0, false},
		{"timeout", func(_ http.ResponseWriter, r *http.Request) {
			// The server notices the client hanging up only once the body is read.
			_, _ = io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
		}, context.DeadlineExceeded, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.handler, false)
			_, err := devClient(Options{MaxBodyBytes: 1024, Timeout: 200 * time.Millisecond}).Post(context.Background(), s.URL+"/inbox", []byte(`{}`))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			var se *StatusError
			if !errors.As(err, &se) || se.StatusCode != tt.status {
				t.Fatalf("error = %v, want status %d", err, tt.status)
			}
			if got := IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent = %t, want %t", got, tt.permanent)
			}
		})
	}
	target.assertUntouched(t)
}

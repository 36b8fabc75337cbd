package transport

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// chainHandler serves /r/{n}: a relative redirect to /r/{n-1}, and "end" at
// /r/0. Every request must carry a Signature made for its own target.
func chainHandler(t *testing.T) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/r/{n}", func(w http.ResponseWriter, r *http.Request) {
		if got, want := r.Header.Get("Signature"), fakeSignature(r.URL.RequestURI(), true); got != want {
			t.Errorf("%s: Signature = %q, want %q", r.URL, got, want)
		}
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if n == 0 {
			fmt.Fprint(w, "end")
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/r/%d", n-1), http.StatusFound)
	})
	return mux
}

func TestGetRedirects(t *testing.T) {
	tests := []struct {
		name         string
		maxRedirects int
		start        int
		wantErr      error
	}{
		{"no redirect", 3, 0, nil},
		{"within limit", 3, 2, nil},
		{"at limit", 3, 3, nil},
		{"over limit", 3, 4, ErrTooManyRedirects},
		{"default limit 5 reached", 0, 5, nil},
		{"default limit 5 exceeded", 0, 6, ErrTooManyRedirects},
		{"negative follows none", -1, 1, ErrTooManyRedirects},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, chainHandler(t), false)
			signer := &fakeSigner{}
			c := devClient(Options{MaxRedirects: tt.maxRedirects, Signer: signer})

			resp, err := c.Get(context.Background(), fmt.Sprintf("%s/r/%d", s.URL, tt.start), "")
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error = %v, want %v", err, tt.wantErr)
				}
				limit := max(tt.maxRedirects, 0)
				if tt.maxRedirects == 0 {
					limit = DefaultMaxRedirects
				}
				if n := s.requests.Load(); n != int64(limit+1) {
					t.Errorf("server got %d requests, want %d", n, limit+1)
				}
				return
			}
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if want := s.URL + "/r/0"; resp.FinalURL != want {
				t.Errorf("FinalURL = %q, want %q", resp.FinalURL, want)
			}
			if string(resp.Body) != "end" {
				t.Errorf("body = %q, want end", resp.Body)
			}
			var want []signedGET
			for n := tt.start; n >= 0; n-- {
				want = append(want, signedGET{fmt.Sprintf("%s/r/%d", s.URL, n), true})
			}
			if diff := cmp.Diff(want, signer.getCalls()); diff != "" {
				t.Errorf("SignGET calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGetRedirectRefused(t *testing.T) {
	tests := []struct {
		name, location string
	}{
		{"other scheme", "ftp://127.0.0.1/x"},
		{"userinfo", "http://user:pw@127.0.0.1/x"},
		{"javascript", "javascript:alert(1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Location", tt.location)
				w.WriteHeader(http.StatusFound)
			}), false)
			_, err := devClient(Options{}).Get(context.Background(), s.URL+"/", "")
			if !errors.Is(err, ErrForbiddenURL) {
				t.Fatalf("error = %v, want ErrForbiddenURL", err)
			}
			if n := s.requests.Load(); n != 1 {
				t.Errorf("server got %d requests, want 1", n)
			}
		})
	}
}

func TestGetBodyLimit(t *testing.T) {
	tests := []struct {
		name          string
		maxBody       int64
		size          int
		contentLength bool
		tooLarge      bool
	}{
		{"at limit, content-length", 1024, 1024, true, false},
		{"at limit, chunked", 1024, 1024, false, false},
		{"one over, content-length", 1024, 1025, true, true},
		{"one over, chunked", 1024, 1025, false, true},
		{"far over, chunked", 1024, 1 << 20, false, true},
		{"default 1 MiB fits", 0, 1 << 20, true, false},
		{"default 1 MiB exceeded", 0, 1<<20 + 1, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if tt.contentLength {
					w.Header().Set("Content-Length", strconv.Itoa(tt.size))
				} else {
					w.(http.Flusher).Flush() // headers out now: no Content-Length
				}
				_, _ = w.Write([]byte(strings.Repeat("a", tt.size)))
			}), false)
			resp, err := devClient(Options{MaxBodyBytes: tt.maxBody}).Get(context.Background(), s.URL+"/", "")
			if tt.tooLarge {
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("error = %v, want ErrTooLarge", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if len(resp.Body) != tt.size {
				t.Errorf("body length = %d, want %d", len(resp.Body), tt.size)
			}
		})
	}
}

func TestGetStatusErrors(t *testing.T) {
	tests := []struct {
		status          int
		permanent, gone bool
	}{
		{http.StatusBadRequest, true, false},
		{http.StatusUnauthorized, false, false},
		{http.StatusForbidden, true, false},
		{http.StatusNotFound, true, false},
		{http.StatusRequestTimeout, false, false},
		{http.StatusGone, true, true},
		{http.StatusTooManyRequests, false, false},
		{http.StatusInternalServerError, false, false},
		{http.StatusServiceUnavailable, false, false},
		{http.StatusNotModified, false, false},
	}
	s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		w.WriteHeader(code)
		fmt.Fprintf(w, "status %d %s", code, strings.Repeat("x", 2000))
	}), false)
	c := devClient(Options{})
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			rawURL := fmt.Sprintf("%s/%d", s.URL, tt.status)
			_, err := c.Get(context.Background(), rawURL, "")
			var se *StatusError
			if !errors.As(err, &se) {
				t.Fatalf("error = %v, want *StatusError", err)
			}
			if se.StatusCode != tt.status || se.URL != rawURL {
				t.Errorf("StatusError = {%s %d}, want {%s %d}", se.URL, se.StatusCode, rawURL, tt.status)
			}
			if tt.status != http.StatusNotModified {
				if want := fmt.Sprintf("status %d x", tt.status); !strings.HasPrefix(se.Body, want) || len(se.Body) != snippetBytes {
					t.Errorf("Body = %q… (%d bytes), want prefix %q, %d bytes", se.Body[:min(20, len(se.Body))], len(se.Body), want, snippetBytes)
				}
			}
			if got := IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent = %t, want %t", got, tt.permanent)
			}
			if got := IsGone(err); got != tt.gone {
				t.Errorf("IsGone = %t, want %t", got, tt.gone)
			}
		})
	}
}

// TestGetDoubleKnock: a signed GET with a query refused with 401 is retried
// once, signed without the query; the request itself keeps the query.
func TestGetDoubleKnock(t *testing.T) {
	tests := []struct {
		name       string
		path       string
		noSigner   bool
		alwaysDeny bool
		wantCalls  []bool // withQuery of each SignGET
		wantHits   int64
		wantStatus int // 0: success
	}{
		{"query, second knock accepted", "/x?page=2", false, false, []bool{true, false}, 2, 0},
		{"query, both refused", "/x?page=2", false, true, []bool{true, false}, 2, 401},
		{"no query, no retry", "/x", false, false, []bool{true}, 1, 401},
		{"unsigned, no retry", "/x?page=2", true, false, nil, 1, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int64
			s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.RequestURI() != tt.path {
					t.Errorf("request URI = %q, want %q", r.URL.RequestURI(), tt.path)
				}
				if hits.Add(1) == 1 || tt.alwaysDeny {
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				fmt.Fprint(w, "page two")
			}), false)
			signer := &fakeSigner{}
			opts := Options{Signer: signer}
			if tt.noSigner {
				opts.Signer = nil
			}
			resp, err := devClient(opts).Get(context.Background(), s.URL+tt.path, "")

			var calls []bool
			for _, g := range signer.getCalls() {
				calls = append(calls, g.WithQuery)
			}
			if diff := cmp.Diff(tt.wantCalls, calls); diff != "" {
				t.Errorf("withQuery values (-want +got):\n%s", diff)
			}
			if n := hits.Load(); n != tt.wantHits {
				t.Errorf("server hits = %d, want %d", n, tt.wantHits)
			}
			if tt.wantStatus == 0 {
				if err != nil || string(resp.Body) != "page two" {
					t.Fatalf("Get = %v, %v; want page two", resp, err)
				}
				return
			}
			var se *StatusError
			if !errors.As(err, &se) || se.StatusCode != tt.wantStatus {
				t.Errorf("error = %v, want status %d", err, tt.wantStatus)
			}
		})
	}
}

func TestGetHeaders(t *testing.T) {
	tests := []struct {
		name, accept, wantAccept, userAgent, wantUA string
	}{
		{"defaults", "", DefaultAccept, "", DefaultUserAgent},
		{"custom", "application/jrd+json", "application/jrd+json", "Plaudit/1.0 (+https://p.example)", "Plaudit/1.0 (+https://p.example)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if got := r.Header.Get("Accept"); got != tt.wantAccept {
					t.Errorf("Accept = %q, want %q", got, tt.wantAccept)
				}
				if got := r.Header.Get("User-Agent"); got != tt.wantUA {
					t.Errorf("User-Agent = %q, want %q", got, tt.wantUA)
				}
				if _, err := http.ParseTime(r.Header.Get("Date")); err != nil {
					t.Errorf("Date header: %v", err)
				}
				w.Header().Set("Content-Type", "application/activity+json")
				fmt.Fprint(w, `{"type":"Person"}`)
			}), false)
			resp, err := devClient(Options{UserAgent: tt.userAgent}).Get(context.Background(), s.URL+"/users/a", tt.accept)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if got := resp.Header.Get("Content-Type"); got != "application/activity+json" {
				t.Errorf("response Content-Type = %q", got)
			}
		})
	}
}

// TestGetTimeout: a server slower than Timeout, before its headers or in
// the middle of its body, gives a timeout error fast; the handler returns
// when the client gives up.
func TestGetTimeout(t *testing.T) {
	tests := []struct {
		name      string
		sendHeads bool
	}{
		{"slow headers", false},
		{"slow body", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stopped := make(chan struct{}, 1)
			s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.sendHeads {
					fmt.Fprint(w, `{"type":`)
					w.(http.Flusher).Flush()
				}
				select {
				case <-r.Context().Done():
					stopped <- struct{}{}
				case <-time.After(10 * time.Second):
					fmt.Fprint(w, "too late")
				}
			}), false)
			c := devClient(Options{Timeout: 200 * time.Millisecond})

			start := time.Now()
			_, err := c.Get(context.Background(), s.URL+"/slow", "")
			elapsed := time.Since(start)
			if !IsTimeout(err) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("error = %v, want a deadline-exceeded timeout", err)
			}
			if elapsed < 150*time.Millisecond || elapsed > 2*time.Second {
				t.Errorf("Get took %v, want about 200ms", elapsed)
			}
			select {
			case <-stopped:
			case <-time.After(2 * time.Second):
				t.Error("handler did not see the request cancelled")
			}
		})
	}
}

// TestGetCallerContext: the caller's own cancellation stops the request.
func TestGetCallerContext(t *testing.T) {
	s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}), false)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := devClient(Options{}).Get(ctx, s.URL+"/", "")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if IsTimeout(err) {
		t.Error("IsTimeout(cancelled) = true")
	}
}

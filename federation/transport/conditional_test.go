package transport_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/plaudit/plaudit/federation/transport"
)

func TestGetWithConditionalAndLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/feed", http.StatusFound)
			return
		}
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		_, _ = w.Write([]byte(strings.Repeat("x", 2048)))
	}))
	defer srv.Close()
	c := transport.New(transport.Options{AllowHTTP: true, AllowPrivateAddresses: true})
	ctx := context.Background()

	resp, err := c.GetWith(ctx, srv.URL+"/feed", transport.GetOptions{Accept: "application/rss+xml"})
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("ETag") != `"v1"` {
		t.Fatalf("plain GetWith = %+v, %v", resp, err)
	}
	h := http.Header{"If-None-Match": {`"v1"`}}
	resp, err = c.GetWith(ctx, srv.URL+"/moved", transport.GetOptions{Header: h})
	if err != nil || resp.StatusCode != http.StatusNotModified || len(resp.Body) != 0 || !strings.HasSuffix(resp.FinalURL, "/feed") {
		t.Fatalf("conditional GetWith through a redirect = %+v, %v; want 304", resp, err)
	}
	// A 304 without a validator asked for is an error, as with Get.
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotModified) }))
	defer bare.Close()
	var se *transport.StatusError
	if _, err := c.GetWith(ctx, bare.URL, transport.GetOptions{}); !errors.As(err, &se) {
		t.Errorf("unasked 304 = %v, want a StatusError", err)
	}
	if _, err := c.GetWith(ctx, srv.URL+"/feed", transport.GetOptions{MaxBodyBytes: 1024}); !errors.Is(err, transport.ErrTooLarge) {
		t.Errorf("GetWith over its own limit = %v, want ErrTooLarge", err)
	}
}

package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func okHandler(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, body) })
}

// TestSSRFCanary: with private addresses off, loopback targets are refused
// at dial time, whether named by IP or by a name that resolves to loopback
// (localhost comes from /etc/hosts), and the canary sees no connection.
func TestSSRFCanary(t *testing.T) {
	tests := []struct {
		name string
		host func(port uint16) string
	}{
		{"ip literal", func(p uint16) string { return fmt.Sprintf("127.0.0.1:%d", p) }},
		{"localhost name", func(p uint16) string { return fmt.Sprintf("localhost:%d", p) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			canary := newServer(t, okHandler("secret"), false)
			var logs bytes.Buffer
			c := New(Options{AllowHTTP: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			rawURL := "http://" + tt.host(canary.port()) + "/admin"

			_, err := c.Get(context.Background(), rawURL, "")
			if !errors.Is(err, ErrForbiddenAddress) {
				t.Fatalf("Get(%s) error = %v, want ErrForbiddenAddress", rawURL, err)
			}
			_, err = c.Post(context.Background(), rawURL, []byte(`{}`))
			if !errors.Is(err, ErrForbiddenAddress) {
				t.Fatalf("Post(%s) error = %v, want ErrForbiddenAddress", rawURL, err)
			}
			if !IsPermanent(err) {
				t.Errorf("IsPermanent(%v) = false", err)
			}
			canary.assertUntouched(t)
			if n := strings.Count(logs.String(), "level=WARN msg=\"outgoing request refused\""); n != 2 {
				t.Errorf("logged %d refusals, want 2; logs:\n%s", n, logs.String())
			}
		})
	}
}

func TestSSRFAllowPrivate(t *testing.T) {
	tests := []struct {
		name string
		host func(port uint16) string
	}{
		{"ip literal", func(p uint16) string { return fmt.Sprintf("127.0.0.1:%d", p) }},
		{"localhost name", func(p uint16) string { return fmt.Sprintf("localhost:%d", p) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, okHandler("hello"), false)
			c := New(Options{AllowHTTP: true, AllowPrivateAddresses: true})
			resp, err := c.Get(context.Background(), "http://"+tt.host(s.port())+"/", "")
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if string(resp.Body) != "hello" || resp.StatusCode != http.StatusOK {
				t.Errorf("got %d %q, want 200 \"hello\"", resp.StatusCode, resp.Body)
			}
		})
	}
}

// TestSSRFRedirectToForbidden: a redirect from an allowed server to a
// forbidden address is refused at dial time, before the canary is reached.
func TestSSRFRedirectToForbidden(t *testing.T) {
	canary := newServer(t, okHandler("secret"), false)
	front := newServer(t, http.RedirectHandler(canary.URL+"/admin", http.StatusFound), false)
	c := New(Options{AllowHTTP: true})
	onlyPort(c, front.port())

	_, err := c.Get(context.Background(), front.URL+"/start", "")
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("error = %v, want ErrForbiddenAddress", err)
	}
	if n := front.requests.Load(); n != 1 {
		t.Errorf("front server got %d requests, want 1", n)
	}
	canary.assertUntouched(t)
}

func TestRefusedURLs(t *testing.T) {
	canary := newServer(t, okHandler("secret"), false)
	tests := []struct {
		name string
		opts Options
		url  string
	}{
		{"http without AllowHTTP", Options{AllowPrivateAddresses: true}, canary.URL + "/x"},
		{"userinfo", Options{AllowHTTP: true, AllowPrivateAddresses: true},
			fmt.Sprintf("http://user:pw@127.0.0.1:%d/x", canary.port())},
		{"other scheme", Options{AllowHTTP: true, AllowPrivateAddresses: true},
			fmt.Sprintf("ftp://127.0.0.1:%d/x", canary.port())},
		{"unparsable", Options{AllowHTTP: true, AllowPrivateAddresses: true}, "http://127.0.0.1:%zz/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(tt.opts)
			if _, err := c.Get(context.Background(), tt.url, ""); !errors.Is(err, ErrForbiddenURL) {
				t.Errorf("Get error = %v, want ErrForbiddenURL", err)
			}
			if _, err := c.Post(context.Background(), tt.url, []byte(`{}`)); !errors.Is(err, ErrForbiddenURL) {
				t.Errorf("Post error = %v, want ErrForbiddenURL", err)
			}
		})
	}
	canary.assertUntouched(t)
}

// TestHTTPSOnly: with AllowHTTP off an https server is reached, and its
// redirect down to http is refused before the http server is contacted.
func TestHTTPSOnly(t *testing.T) {
	plain := newServer(t, okHandler("plain"), false)
	secure := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/downgrade" {
			http.Redirect(w, r, plain.URL+"/x", http.StatusMovedPermanently)
			return
		}
		fmt.Fprint(w, "secure")
	}), true)
	c := New(Options{AllowPrivateAddresses: true})
	trustTLS(c, secure)

	resp, err := c.Get(context.Background(), secure.URL+"/ok", "")
	if err != nil {
		t.Fatalf("Get https: %v", err)
	}
	if string(resp.Body) != "secure" {
		t.Errorf("body = %q, want secure", resp.Body)
	}
	_, err = c.Get(context.Background(), secure.URL+"/downgrade", "")
	if !errors.Is(err, ErrForbiddenURL) {
		t.Errorf("redirect to http: error = %v, want ErrForbiddenURL", err)
	}
	plain.assertUntouched(t)
}

package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"

	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/web"
)

// server is a web handler on a fresh database, built from Deps that a
// test adjusts.
type server struct {
	srv      *httptest.Server
	st       *store.Store
	accounts *accounts.Service
}

// newServer builds the handler; accOpts and deps may adjust the accounts
// options and the Deps before they are used.
func newServer(t *testing.T, accOpts func(*accounts.Options), deps func(*web.Deps, *accounts.Service, *store.Store)) *server {
	t.Helper()
	st := storetest.Open(t)
	opts := accounts.Options{
		SignupMode: accounts.SignupOpen,
		Argon2:     &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32},
	}
	if accOpts != nil {
		accOpts(&opts)
	}
	acc, err := accounts.New(st, opts)
	if err != nil {
		t.Fatal(err)
	}
	d := web.Deps{Accounts: acc, Health: map[string]web.Pinger{"database": st}, Domain: "plaudit.test", BaseURL: "http://plaudit.test", BodyLimit: 1 << 20}
	if deps != nil {
		deps(&d, acc, st)
	}
	h, err := web.New(d)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &server{srv: srv, st: st, accounts: acc}
}

// mustUser creates a user with the password "a long password".
func (s *server) mustUser(t *testing.T, name string, admin bool) {
	t.Helper()
	if _, err := s.accounts.CreateUser(context.Background(), name, "a long password", admin); err != nil {
		t.Fatal(err)
	}
}

// mustToken issues a token for username with scopes ("" for the default).
func (s *server) mustToken(t *testing.T, username, scopes string) string {
	t.Helper()
	req := accounts.TokenRequest{Username: username, Name: "test"}
	if scopes != "" {
		var err error
		if req.Scopes, err = accounts.ParseScopes(scopes); err != nil {
			t.Fatal(err)
		}
	}
	secret, _, err := s.accounts.IssueToken(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// do sends a request with an optional bearer token, headers and JSON body
// and returns the response (body read and closed) and its body.
func (s *server) do(t *testing.T, method, path, bearer, body string, header http.Header) (*http.Response, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, s.srv.URL+path, r)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

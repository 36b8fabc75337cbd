package transport

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

// brokenSigner fails every signature, as a keyring whose database is down.
type brokenSigner struct{}

var errNoKey = errors.New("no key")

func (brokenSigner) SignGET(*http.Request, bool) error    { return errNoKey }
func (brokenSigner) SignPOST(*http.Request, []byte) error { return errNoKey }

// TestSignFailureIsErrSign: a signer's failure is told apart from the
// remote's (ErrSign, with the cause), and nothing is sent.
func TestSignFailureIsErrSign(t *testing.T) {
	s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	}), false)
	c := devClient(Options{Signer: brokenSigner{}})
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
	}{
		{"get", func() error { _, err := c.Get(ctx, s.URL+"/users/a", ""); return err }},
		{"post", func() error { _, err := c.Post(ctx, s.URL+"/inbox", []byte(`{}`)); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, ErrSign) || !errors.Is(err, errNoKey) {
				t.Fatalf("err = %v, want ErrSign wrapping the signer's error", err)
			}
			if IsPermanent(err) || IsTimeout(err) {
				t.Errorf("a signing failure classified as permanent %v / timeout %v", IsPermanent(err), IsTimeout(err))
			}
		})
	}
	s.assertUntouched(t)
}

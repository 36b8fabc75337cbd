package httpsig

import (
	"context"
	"crypto/rsa"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestVerifyKeyRotation(t *testing.T) {
	tests := []struct {
		name      string
		cached    *rsa.PrivateKey // the resolver's answer without refresh
		fresh     *rsa.PrivateKey // its answer with refresh; nil: same as cached
		signer    *rsa.PrivateKey
		wantErr   error
		wantCalls []resolverCall
	}{
		{
			name:   "cached key verifies",
			cached: aliceKey(), signer: aliceKey(),
			wantCalls: []resolverCall{{aliceKeyID, false}},
		},
		{
			name:   "rotated key fetched once",
			cached: aliceKey(), fresh: aliceNewKey(), signer: aliceNewKey(),
			wantCalls: []resolverCall{{aliceKeyID, false}, {aliceKeyID, true}},
		},
		{
			name:   "fresh key does not verify either",
			cached: aliceKey(), fresh: aliceNewKey(), signer: malloryKey(),
			wantErr:   ErrBadSignature,
			wantCalls: []resolverCall{{aliceKeyID, false}, {aliceKeyID, true}},
		},
		{
			name:   "refresh returns the same key",
			cached: aliceKey(), signer: malloryKey(),
			wantErr:   ErrBadSignature,
			wantCalls: []resolverCall{{aliceKeyID, false}, {aliceKeyID, true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := &fakeResolver{
				keys:  map[string]*PublicKey{aliceKeyID: {Key: &tt.cached.PublicKey, Owner: aliceActor}},
				fresh: map[string]*PublicKey{},
			}
			if tt.fresh != nil {
				res.fresh[aliceKeyID] = &PublicKey{Key: &tt.fresh.PublicKey, Owner: aliceActor}
			}
			v := mustVerifier(t, Options{KeyResolver: res})
			r := wire(t, signedPost(t, tt.signer, testNow, inboxURL, likeBody), likeBody)
			got, err := v.Verify(context.Background(), r, likeBody)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && got.Owner != aliceActor {
				t.Errorf("owner %q, want %q", got.Owner, aliceActor)
			}
			if diff := cmp.Diff(tt.wantCalls, res.Calls()); diff != "" {
				t.Errorf("resolver calls (-want +got):\n%s", diff)
			}
		})
	}
}

// failingResolver fails every lookup with err.
type failingResolver struct{ err error }

func (f failingResolver) ResolveKey(context.Context, string, bool) (*PublicKey, error) {
	return nil, f.err
}

func TestVerifyResolverFailure(t *testing.T) {
	boom := errors.New("dial tcp: connection refused")
	v := mustVerifier(t, Options{KeyResolver: failingResolver{err: boom}})
	r := wire(t, signedPost(t, aliceKey(), testNow, inboxURL, likeBody), likeBody)
	_, err := v.Verify(context.Background(), r, likeBody)
	if !errors.Is(err, boom) {
		t.Fatalf("Verify error = %v, want the resolver's", err)
	}
	if got := StatusCode(err); got != 500 {
		t.Errorf("StatusCode = %d, want 500", got)
	}
}

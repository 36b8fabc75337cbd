package httpsig

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func BenchmarkSignPOST(b *testing.B) {
	signer := NewSigner(aliceKeyID, aliceKey())
	b.ReportAllocs()
	for b.Loop() {
		r, err := http.NewRequest(http.MethodPost, inboxURL, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := signer.SignPOST(r, likeBody); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyPOST verifies one signed POST over and over, replay check
// included (a no-op cache: the same request would otherwise be a replay).
func BenchmarkVerifyPOST(b *testing.B) {
	v := mustVerifier(b, Options{KeyResolver: newResolver(), ReplayCache: forgetfulCache{}})
	r := wire(b, signedPost(b, aliceKey(), testNow, inboxURL, likeBody), likeBody)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, r, likeBody); err != nil {
			b.Fatal(err)
		}
	}
}

// forgetfulCache never remembers anything.
type forgetfulCache struct{}

func (forgetfulCache) Seen(context.Context, string, time.Duration) (bool, error) { return false, nil }

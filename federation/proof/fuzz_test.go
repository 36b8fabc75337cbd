package proof

import (
	"context"
	"errors"
	"maps"
	"testing"
)

// FuzzVerify feeds Verify arbitrary documents (seeds in
// testdata/fuzz/FuzzVerify: the FEP vector, a signed statement, tampered
// and malformed variants). Verify must not panic, must fail with one of
// its errors, and may succeed only for a key the resolver knows.
func FuzzVerify(f *testing.F) {
	f.Add(mustRead(f, "fep-8b32-signed.json"))
	f.Add(mustSignStatement(f))
	r := vectorResolver(f)
	maps.Copy(r, peerResolver())
	kinds := []error{
		ErrMalformed, ErrNoProof, ErrUnsupported, ErrProofPurpose, ErrExpired,
		ErrBadSignature, ErrTampered, ErrUnresolved, ErrNotController,
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		controller, err := Verify(context.Background(), doc, r)
		if err == nil {
			if controller != vectorActor && controller != peerActor {
				t.Fatalf("verified for unknown controller %q", controller)
			}
			return
		}
		for _, k := range kinds {
			if errors.Is(err, k) {
				return
			}
		}
		t.Fatalf("unclassified error: %v", err)
	})
}

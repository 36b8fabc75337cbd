package proof_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/federation/proof"
)

// A statement signed by an instance actor and verified later from storage.
func Example() {
	seed := make([]byte, ed25519.SeedSize)
	key := ed25519.NewKeyFromSeed(seed)
	actor := "https://b.example/actor"
	method := actor + "#ed25519-key"

	doc := []byte(`{"@context":"https://www.w3.org/ns/activitystreams","type":"Offer","actor":"https://b.example/actor","total":1234}`)
	signed, err := proof.Sign(doc, key, method, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}

	// In production the resolver is the dereference.Fetcher, which fetches
	// the actor and reads its assertionMethod.
	keys := proof.Methods{method: {ID: method, Controller: actor, PublicKey: key.Public().(ed25519.PublicKey)}}
	controller, err := proof.VerifyOwned(context.Background(), signed, keys)
	fmt.Println(controller, err)
	fmt.Println(proof.EncodeMultikey(key.Public().(ed25519.PublicKey))[:4])
	// Output:
	// https://b.example/actor <nil>
	// z6Mk
}

package keys_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"sync"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/keys"
	"github.com/plaudit/plaudit/federation/proof"
)

func TestInstanceEd25519IsMadeOnceAndKept(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	urls := federation.NewURLs("https://plaudit.example")

	// Concurrent first uses on two keyrings (two processes) keep one key.
	var wg sync.WaitGroup
	got := make([]ed25519.PrivateKey, 4)
	for i := range got {
		wg.Go(func() {
			key, err := keys.New(s, urls).InstanceEd25519(ctx)
			if err != nil {
				t.Error(err)
			}
			got[i] = key
		})
	}
	wg.Wait()
	for i := range got {
		if !bytes.Equal(got[i], got[0]) {
			t.Fatalf("keyring %d got another key", i)
		}
	}
	again, err := keys.New(s, urls).InstanceEd25519(ctx)
	if err != nil || !bytes.Equal(again, got[0]) {
		t.Fatalf("key after restart differs (err %v)", err)
	}
	m, err := keys.New(s, urls).InstanceMultikey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != "https://plaudit.example/actor#ed25519-key" || m.Controller != "https://plaudit.example/actor" ||
		!bytes.Equal(m.PublicKey, got[0].Public().(ed25519.PublicKey)) {
		t.Errorf("InstanceMultikey = %+v", m)
	}
}

func TestSignAsInstanceVerifies(t *testing.T) {
	ctx := context.Background()
	urls := federation.NewURLs("https://plaudit.example")
	kr := keys.New(storetest.Open(t), urls)
	doc := []byte(`{"@context":"https://www.w3.org/ns/activitystreams","type":"Offer","actor":"https://plaudit.example/actor","total":5}`)
	signed, err := kr.SignAsInstance(ctx, doc, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	m, err := kr.InstanceMultikey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	controller, err := proof.VerifyOwned(ctx, signed, proof.Methods{m.ID: m})
	if err != nil || controller != urls.InstanceActor() {
		t.Fatalf("VerifyOwned = %q, %v", controller, err)
	}
}

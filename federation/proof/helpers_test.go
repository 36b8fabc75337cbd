package proof

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The FEP-8b32 test vector's key, signer and time.
const (
	vectorSecret   = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
	vectorPublic   = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
	vectorActor    = "https://server.example/users/alice"
	vectorMethod   = vectorActor + "#ed25519-key"
	vectorCreated  = "2023-02-24T23:36:38Z"
	vectorSigValue = "z42ffGu6AUKPCFcFPiabmUvnGLPJzC7e4DGWC52NUasSSH37UMa9c58tdgVszUcZfytxa4fQ5TYHaJENCxUDe9SdL"
)

func mustRead(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func mustVectorKey(tb testing.TB) ed25519.PrivateKey {
	tb.Helper()
	key, err := DecodePrivateMultikey(vectorSecret)
	if err != nil {
		tb.Fatal(err)
	}
	return key
}

func mustTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// mustKey derives a key from a name, so tests need no randomness.
func mustKey(name string) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, name)
	return ed25519.NewKeyFromSeed(seed)
}

// vectorResolver knows the vector's key, controlled by alice.
func vectorResolver(tb testing.TB) Methods {
	tb.Helper()
	pub, err := DecodeMultikey(vectorPublic)
	if err != nil {
		tb.Fatal(err)
	}
	return Methods{vectorMethod: {ID: vectorMethod, Controller: vectorActor, PublicKey: pub}}
}

func mustDecode(tb testing.TB, data []byte) map[string]any {
	tb.Helper()
	m, err := decodeObject(data)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func mustMarshal(tb testing.TB, v any) []byte {
	tb.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// edit decodes doc, applies change and encodes it again.
func edit(tb testing.TB, doc []byte, change func(m map[string]any)) []byte {
	tb.Helper()
	m := mustDecode(tb, doc)
	change(m)
	return mustMarshal(tb, m)
}

func proofOfDoc(m map[string]any) map[string]any { return m["proof"].(map[string]any) }

// decodeObject decodes one JSON object, keeping numbers as written.
func decodeObject(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("not a JSON object")
	}
	return m, nil
}

package proof

import (
	"bytes"
	"crypto/ed25519"
	"testing"
)

func TestMultikeyOfTheFEPVector(t *testing.T) {
	key := mustVectorKey(t)
	if got := EncodeMultikey(key.Public().(ed25519.PublicKey)); got != vectorPublic {
		t.Fatalf("EncodeMultikey = %s, want %s", got, vectorPublic)
	}
	pub, err := DecodeMultikey(vectorPublic)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pub, key.Public().(ed25519.PublicKey)) {
		t.Error("decoded key differs")
	}
}

func TestDecodeMultikeyRefuses(t *testing.T) {
	for name, s := range map[string]string{
		"empty":            "",
		"no multibase":     vectorPublic[1:],
		"base64 multibase": "m" + vectorPublic[1:],
		"not base58":       "z0OIl",
		"private key":      vectorSecret,
		"truncated":        vectorPublic[:len(vectorPublic)-2],
	} {
		if _, err := DecodeMultikey(s); err == nil {
			t.Errorf("%s: decoded %q", name, s)
		}
	}
}

func TestPrivateMultikeyRoundTrip(t *testing.T) {
	if got := EncodePrivateMultikey(mustVectorKey(t)); got != vectorSecret {
		t.Fatalf("EncodePrivateMultikey = %s, want %s", got, vectorSecret)
	}
	if _, err := DecodePrivateMultikey(vectorPublic); err == nil {
		t.Error("a public key decoded as private")
	}
}

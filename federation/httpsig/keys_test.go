package httpsig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
)

func TestPrivateKeyPEMRoundTrip(t *testing.T) {
	key := aliceKey()
	if got := key.N.BitLen(); got != KeyBits {
		t.Fatalf("GenerateKey made a %d-bit key, want %d", got, KeyBits)
	}
	pkcs8, err := EncodePrivateKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pkcs8, "-----BEGIN PRIVATE KEY-----\n") {
		t.Errorf("encoded key starts %q", pkcs8[:30])
	}
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	for name, s := range map[string]string{"pkcs8": pkcs8, "pkcs1": pkcs1} {
		got, err := ParsePrivateKeyPEM(s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !got.Equal(key) {
			t.Errorf("%s: parsed key differs", name)
		}
	}
}

func TestParsePrivateKeyPEMErrors(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"empty":        "",
		"not pem":      "hello",
		"public key":   mustPublicPEM(t, &aliceKey().PublicKey),
		"ecdsa key":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})),
		"garbage body": string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte("nope")})),
	}
	for name, s := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := ParsePrivateKeyPEM(s); err == nil {
				t.Error("parsed")
			}
		})
	}
}

func TestParsePublicKeyPEM(t *testing.T) {
	rsaPub := &aliceKey().PublicKey
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKIXPublicKey(&ecKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	small := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 511), E: 65537}
	small.N.Add(small.N, big.NewInt(1))
	tests := []struct {
		name    string
		pem     string
		want    crypto.PublicKey
		wantErr error // nil with want nil: any error
	}{
		{name: "pkix rsa", pem: mustPublicPEM(t, rsaPub), want: rsaPub},
		{name: "pkcs1 rsa", pem: string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(rsaPub)})), want: rsaPub},
		{name: "pkix ed25519", pem: mustPublicPEM(t, edPub), want: edPub},
		{name: "crlf line ends", pem: strings.ReplaceAll(mustPublicPEM(t, rsaPub), "\n", "\r\n"), want: rsaPub},
		{name: "ecdsa", pem: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: ecDER})), wantErr: ErrUnsupportedKey},
		{name: "512-bit rsa", pem: string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(small)})), wantErr: ErrUnsupportedKey},
		{name: "certificate block", pem: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}))},
		{name: "not pem", pem: "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePublicKeyPEM(tt.pem)
			if tt.want == nil {
				if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
					t.Fatalf("error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !got.(interface{ Equal(crypto.PublicKey) bool }).Equal(tt.want) {
				t.Errorf("parsed %T differs", got)
			}
		})
	}
}

func TestEncodePublicKeyPEMRefusesOtherKeys(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := EncodePublicKeyPEM(&ecKey.PublicKey); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("error = %v, want ErrUnsupportedKey", err)
	}
}

func mustPublicPEM(tb testing.TB, key crypto.PublicKey) string {
	tb.Helper()
	s, err := EncodePublicKeyPEM(key)
	if err != nil {
		tb.Fatal(err)
	}
	if !strings.HasPrefix(s, "-----BEGIN PUBLIC KEY-----\n") {
		tb.Fatalf("encoded public key starts %q", s)
	}
	return s
}

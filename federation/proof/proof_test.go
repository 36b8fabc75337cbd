package proof

import (
	"context"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
)

// FEP-8b32's "Signing document" scenario, reproduced to the byte of the
// proofValue.
func TestSignReproducesTheFEPVector(t *testing.T) {
	signed, err := Sign(mustRead(t, "fep-8b32-document.json"), mustVectorKey(t), vectorMethod, mustTime(t, vectorCreated))
	if err != nil {
		t.Fatal(err)
	}
	got := mustDecode(t, signed)
	want := mustDecode(t, mustRead(t, "fep-8b32-signed.json"))
	if string(mustMarshal(t, got)) != string(mustMarshal(t, want)) {
		t.Errorf("signed document\n got %s\nwant %s", mustMarshal(t, got), mustMarshal(t, want))
	}
	if v := proofOfDoc(got)["proofValue"]; v != vectorSigValue {
		t.Errorf("proofValue = %v, want %s", v, vectorSigValue)
	}
}

// FEP-8b32's "Verifying a signature" scenario.
func TestVerifyAcceptsTheFEPVector(t *testing.T) {
	controller, err := VerifyOwned(context.Background(), mustRead(t, "fep-8b32-signed.json"), vectorResolver(t))
	if err != nil {
		t.Fatal(err)
	}
	if controller != vectorActor {
		t.Errorf("controller = %s, want %s", controller, vectorActor)
	}
}

const (
	peerActor  = "https://b.example/actor"
	peerMethod = peerActor + "#ed25519-key"
)

// statement is a document shaped like a Plaudit monthly statement.
const statement = `{
  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/data-integrity/v1"],
  "id": "https://b.example/statements/2026-11/a.example",
  "type": "Offer",
  "actor": "https://b.example/actor",
  "to": "https://a.example/actor",
  "month": "2026-11",
  "currency": "EUR",
  "total": 1234,
  "items": [
    {"like": "https://b.example/likes/1", "thing": "https://a.example/things/7", "amount": 1000},
    {"like": "https://b.example/likes/2", "thing": "https://a.example/things/8", "amount": 234}
  ],
  "summary": "<p>a & b</p>"
}`

func peerResolver() Methods {
	return Methods{peerMethod: {ID: peerMethod, Controller: peerActor, PublicKey: mustKey("b").Public().(ed25519.PublicKey)}}
}

func mustSignStatement(tb testing.TB) []byte {
	tb.Helper()
	signed, err := Sign([]byte(statement), mustKey("b"), peerMethod, time.Date(2026, 12, 2, 5, 0, 0, 0, time.UTC))
	if err != nil {
		tb.Fatal(err)
	}
	return signed
}

func TestSignThenVerifyRoundTrip(t *testing.T) {
	signed := mustSignStatement(t)
	controller, err := VerifyOwned(context.Background(), signed, peerResolver())
	if err != nil {
		t.Fatal(err)
	}
	if controller != peerActor {
		t.Errorf("controller = %s", controller)
	}
	// What is stored and verified later is the same bytes, reformatted.
	again := mustMarshal(t, mustDecode(t, signed))
	if _, err := Verify(context.Background(), again, peerResolver()); err != nil {
		t.Errorf("reformatted document: %v", err)
	}
	p := proofOfDoc(mustDecode(t, signed))
	for key, want := range map[string]string{
		"type": Type, "cryptosuite": Cryptosuite, "proofPurpose": Purpose,
		"verificationMethod": peerMethod, "created": "2026-12-02T05:00:00Z",
	} {
		if p[key] != want {
			t.Errorf("proof %s = %v, want %s", key, p[key], want)
		}
	}
	if !strings.Contains(string(signed), `"<p>a & b</p>"`) {
		t.Error("HTML escaped in the signed document")
	}
}

func TestVerifyRefuses(t *testing.T) {
	signed := mustSignStatement(t)
	otherKey := Methods{peerMethod: {ID: peerMethod, Controller: peerActor, PublicKey: mustKey("mallory").Public().(ed25519.PublicKey)}}
	tests := []struct {
		name     string
		doc      []byte
		resolver Resolver
		want     error
		code     string
	}{
		{"changed amount", edit(t, signed, func(m map[string]any) {
			m["items"].([]any)[0].(map[string]any)["amount"] = 100000
		}), nil, ErrTampered, app.EUNAUTHORIZED},
		{"changed total written differently", []byte(strings.Replace(string(signed), `"total":1234`, `"total":1234.5`, 1)), nil, ErrTampered, app.EUNAUTHORIZED},
		{"extra field", edit(t, signed, func(m map[string]any) { m["note"] = "pay me twice" }), nil, ErrTampered, app.EUNAUTHORIZED},
		{"extra line", edit(t, signed, func(m map[string]any) {
			m["items"] = append(m["items"].([]any), map[string]any{"like": "x", "thing": "y", "amount": 1})
		}), nil, ErrTampered, app.EUNAUTHORIZED},
		{"removed field", edit(t, signed, func(m map[string]any) { delete(m, "to") }), nil, ErrTampered, app.EUNAUTHORIZED},
		{"changed created", edit(t, signed, func(m map[string]any) { proofOfDoc(m)["created"] = "2030-01-01T00:00:00Z" }), nil, ErrTampered, app.EUNAUTHORIZED},
		{"changed context", edit(t, signed, func(m map[string]any) { m["@context"] = "https://www.w3.org/ns/activitystreams" }), nil, ErrTampered, app.EUNAUTHORIZED},
		{"wrong key", signed, otherKey, ErrTampered, app.EUNAUTHORIZED},
		{"removed proof", edit(t, signed, func(m map[string]any) { delete(m, "proof") }), nil, ErrNoProof, app.EUNAUTHORIZED},
		{"unsigned", []byte(statement), nil, ErrNoProof, app.EUNAUTHORIZED},
		{"other cryptosuite", edit(t, signed, func(m map[string]any) { proofOfDoc(m)["cryptosuite"] = "eddsa-rdfc-2022" }), nil, ErrUnsupported, app.EINVALID},
		{"other type", edit(t, signed, func(m map[string]any) { proofOfDoc(m)["type"] = "Ed25519Signature2020" }), nil, ErrUnsupported, app.EINVALID},
		{"two proofs", edit(t, signed, func(m map[string]any) { m["proof"] = []any{m["proof"], m["proof"]} }), nil, ErrUnsupported, app.EINVALID},
		{"authentication purpose", edit(t, signed, func(m map[string]any) { proofOfDoc(m)["proofPurpose"] = "authentication" }), nil, ErrProofPurpose, app.EUNAUTHORIZED},
		{"expired", edit(t, signed, func(m map[string]any) { proofOfDoc(m)["expires"] = "2000-01-01T00:00:00Z" }), nil, ErrExpired, app.EUNAUTHORIZED},
		{"proofValue not multibase", edit(t, signed, func(m map[string]any) { proofOfDoc(m)["proofValue"] = "uAAAA" }), nil, ErrBadSignature, app.EUNAUTHORIZED},
		{"proofValue too short", edit(t, signed, func(m map[string]any) { proofOfDoc(m)["proofValue"] = "z3yMApqCuCjXDWPrbjfR5mjCPTHqFG8Pux1TxQrEM35jj" }), nil, ErrBadSignature, app.EUNAUTHORIZED},
		{"no verificationMethod", edit(t, signed, func(m map[string]any) { delete(proofOfDoc(m), "verificationMethod") }), nil, ErrMalformed, app.EINVALID},
		{"unknown verificationMethod", edit(t, signed, func(m map[string]any) { proofOfDoc(m)["verificationMethod"] = "https://c.example/actor#k" }), nil, ErrUnresolved, app.EUNAUTHORIZED},
		{"not an object", []byte(`[1,2]`), nil, ErrMalformed, app.EINVALID},
		{"duplicate key", []byte(`{"total":1,"total":2}`), nil, ErrMalformed, app.EINVALID},
		{"key controlled by someone else", signed, Methods{peerMethod: {ID: peerMethod, Controller: "", PublicKey: mustKey("b").Public().(ed25519.PublicKey)}}, ErrNotController, app.EUNAUTHORIZED},
		{"resolver answers another method", signed, Methods{peerMethod: {ID: peerActor + "#other", Controller: peerActor, PublicKey: mustKey("b").Public().(ed25519.PublicKey)}}, ErrNotController, app.EUNAUTHORIZED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.resolver
			if r == nil {
				r = peerResolver()
			}
			_, err := Verify(context.Background(), tt.doc, r)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if code := app.ErrorCode(err); code != tt.code {
				t.Errorf("code = %s, want %s", code, tt.code)
			}
		})
	}
}

func TestVerifyKeepsTheResolversUnavailableCode(t *testing.T) {
	r := resolverFunc(func(context.Context, string) (*Method, error) {
		return nil, app.Errorf(app.EUNAVAILABLE, "peer did not answer")
	})
	_, err := Verify(context.Background(), mustSignStatement(t), r)
	if !errors.Is(err, ErrUnresolved) || app.ErrorCode(err) != app.EUNAVAILABLE {
		t.Fatalf("err = %v (code %s), want ErrUnresolved with %s", err, app.ErrorCode(err), app.EUNAVAILABLE)
	}
}

type resolverFunc func(ctx context.Context, id string) (*Method, error)

func (f resolverFunc) ResolveMethod(ctx context.Context, id string) (*Method, error) {
	return f(ctx, id)
}

func TestVerifyOwnedRefusesADocumentOfAnotherActor(t *testing.T) {
	// A user of b.example signs a statement that claims to come from the
	// instance actor.
	userMethod := "https://b.example/users/eve#ed25519-key"
	signed, err := Sign([]byte(statement), mustKey("eve"), userMethod, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	r := Methods{userMethod: {ID: userMethod, Controller: "https://b.example/users/eve", PublicKey: mustKey("eve").Public().(ed25519.PublicKey)}}
	controller, err := Verify(context.Background(), signed, r)
	if err != nil || controller != "https://b.example/users/eve" {
		t.Fatalf("Verify = %s, %v", controller, err)
	}
	if _, err := VerifyOwned(context.Background(), signed, r); !errors.Is(err, ErrOwnerMismatch) {
		t.Fatalf("VerifyOwned err = %v, want ErrOwnerMismatch", err)
	}
	if _, ok := proofOfDoc(mustDecode(t, signed))["created"]; ok {
		t.Error("zero created was written")
	}
}

func TestCheckOwner(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		ok   bool
	}{
		{"actor", `{"actor":"https://b.example/actor"}`, true},
		{"actor object", `{"actor":{"id":"https://b.example/actor"}}`, true},
		{"attributedTo", `{"attributedTo":"https://b.example/actor"}`, true},
		{"actor wins over attributedTo", `{"actor":"https://b.example/users/eve","attributedTo":"https://b.example/actor"}`, false},
		{"other actor", `{"actor":"https://c.example/actor"}`, false},
		{"several", `{"actor":["https://b.example/actor"]}`, false},
		{"no owner", `{"type":"Note"}`, false},
	}
	for _, tt := range tests {
		err := CheckOwner([]byte(tt.doc), peerActor)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v", tt.name, err)
		}
		if err != nil && !errors.Is(err, ErrOwnerMismatch) {
			t.Errorf("%s: err = %v, want ErrOwnerMismatch", tt.name, err)
		}
	}
}

func TestSignRefuses(t *testing.T) {
	key := mustKey("b")
	for name, doc := range map[string]string{
		"already signed": string(mustSignStatement(t)),
		"not an object":  `"x"`,
		"duplicate key":  `{"a":1,"a":2}`,
		"trailing data":  `{"a":1} {}`,
	} {
		if _, err := Sign([]byte(doc), key, peerMethod, time.Now()); err == nil {
			t.Errorf("%s: signed", name)
		}
	}
	if _, err := Sign([]byte(statement), key[:10], peerMethod, time.Now()); err == nil {
		t.Error("short key: signed")
	}
	if _, err := Sign([]byte(statement), key, "", time.Now()); err == nil {
		t.Error("no verification method: signed")
	}
}

// An earlier version of FEP-8b32's vector, whose proof has no @context (as
// older Mitra and other implementations sign): verified all the same.
func TestVerifyAcceptsAProofWithoutContext(t *testing.T) {
	controller, err := VerifyOwned(context.Background(), mustRead(t, "fep-8b32-signed-no-proof-context.json"), vectorResolver(t))
	if err != nil || controller != vectorActor {
		t.Fatalf("VerifyOwned = %q, %v", controller, err)
	}
}

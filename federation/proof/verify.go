package proof

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// Verify checks the document's eddsa-jcs-2022 integrity proof and returns
// the controller of the key that made it: the actor the document speaks
// for. The caller must still check that this is the actor it expected
// (VerifyOwned checks the document's own actor or attributedTo). Errors are
// *app.Error values wrapping ErrMalformed, ErrNoProof, ErrUnsupported,
// ErrProofPurpose, ErrExpired, ErrBadSignature, ErrTampered, ErrUnresolved
// or ErrNotController; a resolver's error is wrapped so that its own code
// (e.g. app.EUNAVAILABLE for a peer that did not answer) is kept.
func Verify(ctx context.Context, doc []byte, r Resolver) (string, error) {
	controller, _, err := verify(ctx, doc, r, time.Now())
	return controller, err
}

// VerifyOwned is Verify followed by CheckOwner: the key's controller must
// also be the document's actor (or, for an object, its attributedTo).
func VerifyOwned(ctx context.Context, doc []byte, r Resolver) (string, error) {
	controller, m, err := verify(ctx, doc, r, time.Now())
	if err != nil {
		return "", err
	}
	if err := checkOwner(m, controller); err != nil {
		return "", err
	}
	return controller, nil
}

// proofOf is a received proof's checked fields.
type proofOf struct {
	options   map[string]any // the proof without proofValue
	method    string
	signature []byte
}

func verify(ctx context.Context, doc []byte, r Resolver, now time.Time) (string, members, error) {
	m, err := canonicalMembers(doc)
	if err != nil {
		return "", nil, fail(app.EINVALID, ErrMalformed, "%v", err)
	}
	v, err := m.value("proof")
	if err != nil {
		return "", nil, fail(app.EINVALID, ErrMalformed, "%v", err)
	}
	p, err := readProof(v, now)
	if err != nil {
		return "", nil, err
	}
	unsecured := maps.Clone(m)
	delete(unsecured, "proof")
	if err := useProofContext(unsecured, p.options); err != nil {
		return "", nil, err
	}
	data, err := hashData(p.options, unsecured)
	if err != nil {
		return "", nil, fail(app.EINVALID, ErrMalformed, "%v", err)
	}
	method, err := resolve(ctx, r, p.method)
	if err != nil {
		return "", nil, err
	}
	if !ed25519.Verify(method.PublicKey, data, p.signature) {
		return "", nil, fail(app.EUNAUTHORIZED, ErrTampered, "the signature by %s does not match the document", p.method)
	}
	return method.Controller, m, nil
}

// useProofContext checks that the document's @context starts with the
// proof's, when the proof has one, and then hashes the document with the
// proof's (Data Integrity, "verify proof").
func useProofContext(unsecured members, options map[string]any) error {
	c, ok := options["@context"]
	if !ok {
		return nil
	}
	have, err := unsecured.value("@context")
	if err != nil {
		return fail(app.EINVALID, ErrMalformed, "%v", err)
	}
	if !contextStartsWith(have, c) {
		return fail(app.EUNAUTHORIZED, ErrTampered, "the document's @context does not start with the proof's")
	}
	if unsecured["@context"], err = canonicalValue(c); err != nil {
		return fail(app.EINVALID, ErrMalformed, "%v", err)
	}
	return nil
}

// readProof takes the document's one proof apart and checks its options.
func readProof(v any, now time.Time) (*proofOf, error) {
	if v == nil {
		return nil, fail(app.EUNAUTHORIZED, ErrNoProof, "the document has no proof")
	}
	if list, ok := v.([]any); ok {
		if len(list) != 1 {
			return nil, fail(app.EINVALID, ErrUnsupported, "%d proofs, want one", len(list))
		}
		v = list[0]
	}
	raw, ok := v.(map[string]any)
	if !ok {
		return nil, fail(app.EINVALID, ErrMalformed, "the proof is not an object")
	}
	if t, s := raw["type"], raw["cryptosuite"]; t != Type || s != Cryptosuite {
		return nil, fail(app.EINVALID, ErrUnsupported, "type %v with cryptosuite %v, want %s with %s", t, s, Type, Cryptosuite)
	}
	if raw["proofPurpose"] != Purpose {
		return nil, fail(app.EUNAUTHORIZED, ErrProofPurpose, "purpose %v, want %s", raw["proofPurpose"], Purpose)
	}
	method, _ := raw["verificationMethod"].(string)
	if method == "" {
		return nil, fail(app.EINVALID, ErrMalformed, "the proof names no verificationMethod")
	}
	if err := checkTimes(raw, now); err != nil {
		return nil, err
	}
	sig, err := signatureOf(raw["proofValue"])
	if err != nil {
		return nil, err
	}
	opts := maps.Clone(raw)
	delete(opts, "proofValue")
	return &proofOf{options: opts, method: method, signature: sig}, nil
}

// checkTimes checks that created and expires, when present, are dateTime
// strings and that expires has not passed.
func checkTimes(raw map[string]any, now time.Time) error {
	for _, key := range []string{"created", "expires"} {
		v, ok := raw[key]
		if !ok {
			continue
		}
		s, _ := v.(string)
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return fail(app.EINVALID, ErrMalformed, "the proof's %s %v is not a dateTime", key, v)
		}
		if key == "expires" && !now.Before(t) {
			return fail(app.EUNAUTHORIZED, ErrExpired, "the proof expired at %s", s)
		}
	}
	return nil
}

// signatureOf decodes a proofValue: multibase base58btc of 64 bytes.
func signatureOf(v any) ([]byte, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fail(app.EUNAUTHORIZED, ErrBadSignature, "the proof has no proofValue string")
	}
	sig, err := decodeMultibase(s)
	if err != nil {
		return nil, fail(app.EUNAUTHORIZED, ErrBadSignature, "proofValue: %v", err)
	}
	if len(sig) != ed25519.SignatureSize {
		return nil, fail(app.EUNAUTHORIZED, ErrBadSignature, "proofValue holds %d bytes, want %d", len(sig), ed25519.SignatureSize)
	}
	return sig, nil
}

// resolve asks r for the method and checks what it returned.
func resolve(ctx context.Context, r Resolver, id string) (*Method, error) {
	m, err := r.ResolveMethod(ctx, id)
	switch {
	case err != nil && (errors.Is(err, ErrNotController) || errors.Is(err, ErrUnresolved)):
		return nil, err
	case err != nil:
		return nil, &app.Error{
			Code: resolverCode(err), Message: fmt.Sprintf("%v: %s", ErrUnresolved, id),
			Err: fmt.Errorf("%w: %s: %w", ErrUnresolved, id, err),
		}
	case m == nil || len(m.PublicKey) != ed25519.PublicKeySize:
		return nil, fail(app.EUNAUTHORIZED, ErrUnresolved, "%s is no Ed25519 key", id)
	case !as2.SameID(m.ID, id) || m.Controller == "":
		return nil, fail(app.EUNAUTHORIZED, ErrNotController, "%s resolved to %q controlled by %q", id, m.ID, m.Controller)
	}
	return m, nil
}

// resolverCode keeps a resolver's client code (a peer that did not answer
// is worth a retry); anything else is a refusal.
func resolverCode(err error) string {
	if code := app.ErrorCode(err); code != app.EINTERNAL {
		return code
	}
	return app.EUNAUTHORIZED
}

// contextStartsWith tells whether the document's @context begins with the
// proof's, in order (a lone value counts as a list of one).
func contextStartsWith(doc, prefix any) bool {
	d, p := asList(doc), asList(prefix)
	if len(p) == 0 || len(p) > len(d) {
		return false
	}
	for i := range p {
		if !reflect.DeepEqual(d[i], p[i]) {
			return false
		}
	}
	return true
}

func asList(v any) []any {
	if list, ok := v.([]any); ok {
		return list
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

// CheckOwner checks that the document's owner, its actor (an activity) or
// else its attributedTo (an object), is controller: FEP-8b32 wants the
// verification method's controller to be the owner of the signed object.
func CheckOwner(doc []byte, controller string) error {
	m, err := canonicalMembers(doc)
	if err != nil {
		return fail(app.EINVALID, ErrMalformed, "%v", err)
	}
	return checkOwner(m, controller)
}

func checkOwner(m members, controller string) error {
	key := "actor"
	if _, ok := m[key]; !ok {
		key = "attributedTo"
	}
	owner, err := m.value(key)
	if err != nil {
		return fail(app.EINVALID, ErrMalformed, "%v", err)
	}
	if _, many := owner.([]any); many {
		return fail(app.EUNAUTHORIZED, ErrOwnerMismatch, "the document names several owners")
	}
	id := as2.IDOf(owner)
	if id == "" {
		return fail(app.EUNAUTHORIZED, ErrOwnerMismatch, "the document names no actor or attributedTo")
	}
	if !as2.SameID(id, controller) {
		return fail(app.EUNAUTHORIZED, ErrOwnerMismatch, "the document's owner %s is not the signer %s", id, controller)
	}
	return nil
}

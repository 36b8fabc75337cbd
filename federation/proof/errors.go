package proof

import (
	"errors"
	"fmt"

	"github.com/plaudit/plaudit/app"
)

// Verification failures. Every error Verify returns is an *app.Error
// (EINVALID for a document that cannot carry a proof we check,
// EUNAUTHORIZED for a proof that does not hold) wrapping one of these, so
// both app.ErrorCode and errors.Is tell what went wrong.
var (
	// ErrMalformed: the document is not a JSON object (or has duplicate
	// keys, invalid UTF-8), or its proof lacks a field or has one of the
	// wrong shape.
	ErrMalformed = errors.New("malformed document or proof")
	// ErrNoProof: the document carries no proof.
	ErrNoProof = errors.New("no integrity proof")
	// ErrUnsupported: the proof's type or cryptosuite is not
	// DataIntegrityProof with eddsa-jcs-2022, or there are several proofs.
	ErrUnsupported = errors.New("unsupported proof")
	// ErrProofPurpose: the proof's purpose is not assertionMethod.
	ErrProofPurpose = errors.New("wrong proof purpose")
	// ErrExpired: the proof's expires time has passed.
	ErrExpired = errors.New("proof expired")
	// ErrBadSignature: the proofValue is not a multibase base58btc Ed25519
	// signature.
	ErrBadSignature = errors.New("bad signature value")
	// ErrTampered: the signature does not hold over the document and proof
	// as they are: something was changed after signing (a value, an added
	// or removed field, the proof's options), or another key signed it.
	ErrTampered = errors.New("document does not match its proof")
	// ErrUnresolved: the verification method could not be fetched or read.
	ErrUnresolved = errors.New("verification method not resolved")
	// ErrNotController: the verification method is not controlled by the
	// document that should control it (its controller differs, or the
	// controller does not list it in assertionMethod).
	ErrNotController = errors.New("verification method not controlled by its claimed controller")
	// ErrOwnerMismatch: the document's actor (or attributedTo) is not the
	// controller of the key that signed it.
	ErrOwnerMismatch = errors.New("document owner is not the signer")
)

// fail returns an *app.Error with code wrapping kind and the detail.
func fail(code string, kind error, format string, args ...any) error {
	detail := fmt.Sprintf(format, args...)
	return &app.Error{Code: code, Message: kind.Error() + ": " + detail, Err: fmt.Errorf("%w: %s", kind, detail)}
}

package proof

import (
	"context"
	"crypto/ed25519"
	"github.com/plaudit/plaudit/app"
)

// Method is a verification method: an Ed25519 public key, its id and the
// actor that controls it.
type Method struct {
	ID         string
	Controller string
	PublicKey  ed25519.PublicKey
}

// Resolver finds a verification method by its id. An implementation
// fetches the controller document (for an actor's key, the actor at the id
// without its fragment), makes sure it lists the method among its
// assertionMethod and that the method's controller is that document, and
// otherwise returns an error wrapping ErrNotController.
type Resolver interface {
	ResolveMethod(ctx context.Context, id string) (*Method, error)
}

// Methods is a Resolver over methods already at hand, keyed by id: for
// tests and for this instance's own keys.
type Methods map[string]Method

// ResolveMethod implements Resolver.
func (ms Methods) ResolveMethod(_ context.Context, id string) (*Method, error) {
	m, ok := ms[id]
	if !ok {
		return nil, fail(app.EUNAUTHORIZED, ErrUnresolved, "unknown verification method %s", id)
	}
	return &m, nil
}

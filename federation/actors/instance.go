package actors

import (
	"context"
	"fmt"
	"net/http"

	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/proof"
)

// ServeInstanceActor answers GET /actor, always without a signature: servers
// fetch it to verify the signed fetches Plaudit makes as the instance.
func (h *Handlers) ServeInstanceActor(w http.ResponseWriter, r *http.Request) {
	doc, err := h.InstanceActor(r.Context())
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "max-age=180, public")
	h.writeStatus(w, r, http.StatusOK, doc)
}

// InstanceActor returns the instance actor's document: an Application
// named federation.InstanceActorUsername on every domain (a domain with a
// port is no valid account name), displayed as the host, with the instance
// key for HTTP signatures as publicKey and its Ed25519 key for integrity
// proofs as a FEP-521a assertionMethod (both created on first use).
func (h *Handlers) InstanceActor(ctx context.Context) (as2.Document, error) {
	key, err := h.deps.Keys.Instance(ctx)
	if err != nil {
		return nil, fmt.Errorf("instance actor: %w", err)
	}
	method, err := h.deps.Keys.InstanceMultikey(ctx)
	if err != nil {
		return nil, fmt.Errorf("instance actor: %w", err)
	}
	host := h.urls.Host()
	return as2.ActorDocument(as2.ActorSpec{
		ID:                        h.urls.InstanceActor(),
		Type:                      "Application",
		PreferredUsername:         federation.InstanceActorUsername,
		Name:                      host,
		URL:                       h.urls.Base(),
		Inbox:                     h.urls.InstanceInbox(),
		Outbox:                    InstanceOutbox(h.urls),
		SharedInbox:               h.urls.SharedInbox(),
		PublicKeyID:               h.urls.InstanceKeyID(),
		PublicKeyPEM:              key.PublicKeyPEM,
		ManuallyApprovesFollowers: true,
		Published:                 key.CreatedAt,
		AssertionMethods: []as2.Multikey{{
			ID: method.ID, Controller: method.Controller, PublicKeyMultibase: proof.EncodeMultikey(method.PublicKey),
		}},
	}), nil
}

package instance

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	fedclaims "github.com/plaudit/plaudit/federation/claims"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/escrow"
	appsettlement "github.com/plaudit/plaudit/app/settlement"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/federation/dereference"
	"github.com/plaudit/plaudit/federation/inbox"
	"github.com/plaudit/plaudit/federation/keys"
	"github.com/plaudit/plaudit/federation/outbox"
	"github.com/plaudit/plaudit/federation/proof"
	fedsettlement "github.com/plaudit/plaudit/federation/settlement"
	"github.com/plaudit/plaudit/federation/transport"
)

// statementBodyLimit is the largest statement fetched from a peer: a
// 100,000-line statement is about 20 MB.
const statementBodyLimit = 64 << 20

// instanceProver signs documents with the instance actor's Ed25519 key
// and verifies others' proofs by fetching their actors
// (federation/settlement.Prover).
type instanceProver struct {
	keys     *keys.Keyring
	resolver proof.Resolver
}

func (p instanceProver) Sign(ctx context.Context, doc map[string]any) ([]byte, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return p.keys.SignAsInstance(ctx, raw, time.Now().UTC())
}

func (p instanceProver) Verify(ctx context.Context, raw []byte) (string, error) {
	return proof.VerifyOwned(ctx, raw, p.resolver)
}

// likeSink hands fetched Likes to the inbox, which is built after the
// settlement use case.
type likeSink struct{ in *inbox.Inbox }

func (s *likeSink) ApplyFetchedLike(ctx context.Context, raw []byte) error {
	if s.in == nil {
		return app.Errorf(app.EUNAVAILABLE, "the inbox is not running")
	}
	return s.in.ApplyFetchedLike(ctx, raw)
}

// buildSettlement makes the settlement use case and its federation parts.
func (f *federationParts) buildSettlement(inst *Instance) {
	cfg := inst.config
	big := transport.New(transport.Options{
		UserAgent:             fmt.Sprintf("Plaudit/%s (+%s)", Version, cfg.BaseURL()),
		AllowHTTP:             cfg.Federation.AllowHTTP,
		AllowPrivateAddresses: cfg.Federation.AllowPrivateAddresses,
		Signer:                dereference.NewInstanceSigner(f.Keys),
		MaxBodyBytes:          statementBodyLimit,
		Logger:                inst.logger,
	})
	prover := instanceProver{keys: f.Keys, resolver: f.Fetcher}
	f.likeSink = &likeSink{}
	messenger := fedsettlement.NewMessenger(fedsettlement.MessengerDeps{
		URLs: f.URLs, Prover: prover, Publisher: f.Publisher, Getter: big, Likes: f.likeSink,
		EmbedLimit: inst.opts.StatementEmbedLimit,
	})
	f.Settlement = appsettlement.New(appsettlement.Deps{
		Tx: inst.store.Database, Store: inst.store.Settlements, Ledger: inst.money.Ledger, Months: inst.money.Months,
		Directory: fedsettlement.NewDirectory(f.Client), Messenger: messenger, IDs: f.URLs, Logger: inst.logger,
	})
	f.SettlementReceiver = fedsettlement.NewReceiver(f.Settlement, prover, big, f.URLs)
	inst.money.settlement = f.Settlement
	inst.money.settlementStore = inst.store.Settlements
	inst.money.Escrow = escrow.New(escrow.Deps{
		Tx: inst.store.Database, Store: escrowStore{inst.store.Months, inst.store.Claims}, Claims: f.Claims, Ledger: inst.money.Ledger,
		Notifier:  &outbox.EscrowNotifier{Publisher: f.Publisher, Actors: f.Fetcher, Blocks: inst.store.Blocks, Months: cfg.Money.EscrowMonths},
		Threshold: inst.money.escrowNotice.Minor, Logger: inst.logger,
	}).WithPeers(escrow.PeerDeps{
		Store:     peerEscrowStore{inst.store.Settlements, inst.store.Months, inst.store.Claims},
		Checker:   &fedclaims.PeerChecker{Actors: f.Fetcher, Inspector: &fedclaims.Inspector{Actors: f.Fetcher, Client: f.Client}},
		Messenger: messenger, Months: inst.money.Months,
	})
	f.SettlementReceiver.WithClaims(inst.money.Escrow)
}

// peerEscrowStore is the store of claims across servers.
type peerEscrowStore struct {
	*store.Settlements
	*store.Months
	*store.Claims
}

func (s peerEscrowStore) Peer(ctx context.Context, host string) (*app.Peer, error) {
	return s.Settlements.Peer(ctx, host)
}

// escrowStore is the escrow use case's store: escrow in Months, claims in
// Claims.
type escrowStore struct {
	*store.Months
	*store.Claims
}

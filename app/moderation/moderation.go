// Package moderation holds admins' blocks of whole servers and of single
// actors, and answers whether traffic from or to them is allowed.
package moderation

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
)

// Store persists blocks.
type Store interface {
	UpsertDomainBlock(ctx context.Context, b *app.DomainBlock) error
	DeleteDomainBlock(ctx context.Context, domain string) (bool, error)
	DomainBlockFor(ctx context.Context, host string) (*app.DomainBlock, error)
	ListDomainBlocks(ctx context.Context) ([]app.DomainBlock, error)
	InsertActorBlock(ctx context.Context, b *app.ActorBlock) error
	DeleteActorBlock(ctx context.Context, blockedBy, actorURI string) (bool, error)
	ActorBlockedBy(ctx context.Context, blockedBy, actorURI string) (bool, error)
	// ActorsBlockedBy tells which of actorURIs blockedBy blocks.
	ActorsBlockedBy(ctx context.Context, blockedBy string, actorURIs []string) (map[string]bool, error)
	ListActorBlocks(ctx context.Context, blockedBy string) ([]app.ActorBlock, error)
}

// Service applies admins' blocks. Admin actor blocks are recorded as
// blocked by the instance actor.
type Service struct {
	store         Store
	instanceActor string
}

// New returns a Service; instanceActor is the URI admin blocks are recorded under.
func New(store Store, instanceActor string) *Service {
	return &Service{store: store, instanceActor: instanceActor}
}

// NormalizeDomain lower-cases a domain and checks it looks like one.
func NormalizeDomain(domain string) (string, error) {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	if h, _, err := net.SplitHostPort(d); err == nil {
		d = h
	}
	if d == "" || strings.ContainsAny(d, "/@ ?#") {
		return "", app.Errorf(app.EINVALID, "%q is not a domain name", domain)
	}
	return d, nil
}

// BlockDomain blocks a server (and its subdomains) with severity reject or silence.
func (s *Service) BlockDomain(ctx context.Context, domain, severity, reason string) (*app.DomainBlock, error) {
	d, err := NormalizeDomain(domain)
	if err != nil {
		return nil, err
	}
	if severity != app.BlockReject && severity != app.BlockSilence {
		return nil, app.Errorf(app.EINVALID, "severity must be %s or %s", app.BlockReject, app.BlockSilence)
	}
	b := &app.DomainBlock{Domain: d, Severity: severity, Reason: reason, CreatedAt: time.Now().UTC()}
	if err := s.store.UpsertDomainBlock(ctx, b); err != nil {
		return nil, fmt.Errorf("block domain %s: %w", d, err)
	}
	return b, nil
}

// UnblockDomain lifts a domain block.
func (s *Service) UnblockDomain(ctx context.Context, domain string) error {
	d, err := NormalizeDomain(domain)
	if err != nil {
		return err
	}
	found, err := s.store.DeleteDomainBlock(ctx, d)
	if err != nil {
		return fmt.Errorf("unblock domain %s: %w", d, err)
	}
	if !found {
		return app.Errorf(app.ENOTFOUND, "%s is not blocked", d)
	}
	return nil
}

// DomainBlocks lists the domain blocks.
func (s *Service) DomainBlocks(ctx context.Context) ([]app.DomainBlock, error) {
	return s.store.ListDomainBlocks(ctx)
}

// Rejects tells whether host (or a parent domain) is blocked with severity
// reject: nothing is accepted from it or delivered to it.
func (s *Service) Rejects(ctx context.Context, host string) (bool, error) {
	b, err := s.store.DomainBlockFor(ctx, host)
	if errors.Is(err, app.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("domain block of %s: %w", host, err)
	}
	return b.Severity == app.BlockReject, nil
}

// Silences tells whether host is blocked with severity silence.
func (s *Service) Silences(ctx context.Context, host string) (bool, error) {
	b, err := s.store.DomainBlockFor(ctx, host)
	if errors.Is(err, app.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("domain block of %s: %w", host, err)
	}
	return b.Severity == app.BlockSilence, nil
}

// BlockActor blocks one remote actor for the whole instance.
func (s *Service) BlockActor(ctx context.Context, actorURI, reason string) error {
	if !strings.HasPrefix(actorURI, "https://") && !strings.HasPrefix(actorURI, "http://") {
		return app.Errorf(app.EINVALID, "%q is not an actor URI", actorURI)
	}
	b := &app.ActorBlock{ActorURI: actorURI, BlockedBy: s.instanceActor, Reason: reason, CreatedAt: time.Now().UTC()}
	if err := s.store.InsertActorBlock(ctx, b); err != nil {
		return fmt.Errorf("block actor %s: %w", actorURI, err)
	}
	return nil
}

// UnblockActor lifts an admin's actor block.
func (s *Service) UnblockActor(ctx context.Context, actorURI string) error {
	found, err := s.store.DeleteActorBlock(ctx, s.instanceActor, actorURI)
	if err != nil {
		return fmt.Errorf("unblock actor %s: %w", actorURI, err)
	}
	if !found {
		return app.Errorf(app.ENOTFOUND, "%s is not blocked", actorURI)
	}
	return nil
}

// ActorBlocks lists admins' actor blocks.
func (s *Service) ActorBlocks(ctx context.Context) ([]app.ActorBlock, error) {
	return s.store.ListActorBlocks(ctx, s.instanceActor)
}

// ActorBlocked tells whether admins block actorURI.
func (s *Service) ActorBlocked(ctx context.Context, actorURI string) (bool, error) {
	return s.store.ActorBlockedBy(ctx, s.instanceActor, actorURI)
}

// Allows tells whether traffic with actorURI on host is allowed: neither
// the host is rejected nor the actor blocked.
func (s *Service) Allows(ctx context.Context, host, actorURI string) (bool, error) {
	if rejected, err := s.Rejects(ctx, host); err != nil || rejected {
		return false, err
	}
	if actorURI == "" {
		return true, nil
	}
	blocked, err := s.ActorBlocked(ctx, actorURI)
	return !blocked, err
}

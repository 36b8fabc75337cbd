package store

import (
	"context"
	"strings"

	"github.com/plaudit/plaudit/app"
	"gorm.io/gorm/clause"
)

// UpsertDomainBlock creates or changes a domain block.
func (s *Blocks) UpsertDomainBlock(ctx context.Context, b *app.DomainBlock) error {
	err := s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "domain"}},
		DoUpdates: clause.AssignmentColumns([]string{"severity", "reason"}),
	}).Create(b).Error
	return translate(err, "domain block "+b.Domain)
}

// DeleteDomainBlock lifts a domain block; it reports whether there was one.
func (s *Blocks) DeleteDomainBlock(ctx context.Context, domain string) (bool, error) {
	res := s.conn(ctx).Where("domain = ?", domain).Delete(&app.DomainBlock{})
	return res.RowsAffected > 0, translate(res.Error, "lift domain block "+domain)
}

// DomainBlockFor returns the block that covers host: a block of the host
// itself or of any parent domain (blocking example.com blocks
// a.example.com). app.ErrNotFound when none does.
func (s *Blocks) DomainBlockFor(ctx context.Context, host string) (*app.DomainBlock, error) {
	host = strings.ToLower(host)
	if i := strings.LastIndexByte(host, ':'); i > 0 && !strings.HasSuffix(host, "]") {
		host = host[:i]
	}
	candidates := []string{host}
	for h := host; strings.Contains(h, "."); {
		h = h[strings.IndexByte(h, '.')+1:]
		candidates = append(candidates, h)
	}
	var blocks []app.DomainBlock
	if err := s.conn(ctx).Where("domain IN ?", candidates).Find(&blocks).Error; err != nil {
		return nil, translate(err, "domain block for "+host)
	}
	if len(blocks) == 0 {
		return nil, translate(errNotFound, "domain block for "+host)
	}
	best := blocks[0]
	for _, b := range blocks[1:] {
		if b.Severity == app.BlockReject {
			best = b
		}
	}
	return &best, nil
}

// ListDomainBlocks lists every domain block.
func (s *Blocks) ListDomainBlocks(ctx context.Context) ([]app.DomainBlock, error) {
	var out []app.DomainBlock
	err := s.conn(ctx).Order("domain").Find(&out).Error
	return out, translate(err, "list domain blocks")
}

// InsertActorBlock records a block of an actor; a repeated block is kept once.
func (s *Blocks) InsertActorBlock(ctx context.Context, b *app.ActorBlock) error {
	err := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(b).Error
	return translate(err, "block "+b.ActorURI)
}

// DeleteActorBlock removes blockedBy's block of actorURI.
func (s *Blocks) DeleteActorBlock(ctx context.Context, blockedBy, actorURI string) (bool, error) {
	res := s.conn(ctx).Where("blocked_by = ? AND actor_uri = ?", blockedBy, actorURI).Delete(&app.ActorBlock{})
	return res.RowsAffected > 0, translate(res.Error, "unblock "+actorURI)
}

// ActorBlockedBy tells whether blockedBy blocks actorURI.
func (s *Blocks) ActorBlockedBy(ctx context.Context, blockedBy, actorURI string) (bool, error) {
	var n int64
	err := s.conn(ctx).Model(&app.ActorBlock{}).Where("blocked_by = ? AND actor_uri = ?", blockedBy, actorURI).Count(&n).Error
	return n > 0, translate(err, "actor block")
}

// ListActorBlocks lists the blocks made by blockedBy.
func (s *Blocks) ListActorBlocks(ctx context.Context, blockedBy string) ([]app.ActorBlock, error) {
	var out []app.ActorBlock
	err := s.conn(ctx).Where("blocked_by = ?", blockedBy).Order("id").Find(&out).Error
	return out, translate(err, "list actor blocks")
}

package moderation

import (
	"context"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
)

// RemoteBlockStore persists blocks that remote actors make of local ones.
type RemoteBlockStore interface {
	InsertActorBlock(ctx context.Context, b *app.ActorBlock) error
	DeleteActorBlock(ctx context.Context, blockedBy, actorURI string) (bool, error)
}

// FollowRemover ends follows.
type FollowRemover interface {
	DeleteFollow(ctx context.Context, followerURI, followeeURI string) (bool, error)
}

// RemoteBlocks applies remote actors' Blocks of local actors.
type RemoteBlocks struct {
	tx      app.Transactor
	store   RemoteBlockStore
	follows FollowRemover
	now     func() time.Time
}

// NewRemoteBlocks returns RemoteBlocks; now may be nil.
func NewRemoteBlocks(tx app.Transactor, store RemoteBlockStore, follows FollowRemover, now func() time.Time) *RemoteBlocks {
	if now == nil {
		now = time.Now
	}
	return &RemoteBlocks{tx: tx, store: store, follows: follows, now: now}
}

// Blocked records that blocker blocks the local actor target (the Block
// activity is reason) and ends the follows between them both ways, all or
// nothing.
func (b *RemoteBlocks) Blocked(ctx context.Context, blocker, target, reason string) error {
	err := b.tx.WithTx(ctx, func(ctx context.Context) error {
		err := b.store.InsertActorBlock(ctx, &app.ActorBlock{ActorURI: target, BlockedBy: blocker, Reason: reason, CreatedAt: b.now().UTC()})
		if err != nil {
			return err
		}
		if _, err := b.follows.DeleteFollow(ctx, target, blocker); err != nil {
			return err
		}
		_, err = b.follows.DeleteFollow(ctx, blocker, target)
		return err
	})
	if err != nil {
		return fmt.Errorf("block of %s by %s: %w", target, blocker, err)
	}
	return nil
}

// Unblocked lifts blocker's block of the local actor target.
func (b *RemoteBlocks) Unblocked(ctx context.Context, blocker, target string) error {
	_, err := b.store.DeleteActorBlock(ctx, blocker, target)
	return err
}

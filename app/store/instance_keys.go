package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// InstanceKey returns the instance actor's key pair, creating it with
// create on first use. Concurrent first calls keep one key.
func (s *InstanceKeys) InstanceKey(ctx context.Context, create func() (*app.InstanceKey, error)) (*app.InstanceKey, error) {
	var k app.InstanceKey
	err := s.conn(ctx).First(&k, 1).Error
	if err == nil {
		return &k, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, translate(err, "instance key")
	}
	fresh, err := create()
	if err != nil {
		return nil, fmt.Errorf("create instance key: %w", err)
	}
	fresh.ID = 1
	if err := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(fresh).Error; err != nil {
		return nil, translate(err, "instance key")
	}
	if err := s.conn(ctx).First(&k, 1).Error; err != nil {
		return nil, translate(err, "instance key")
	}
	return &k, nil
}

type instanceEd25519KeyRow struct {
	ID                  int64 `gorm:"primaryKey;autoIncrement:false"`
	PrivateKeyMultibase string
	PublicKeyMultibase  string
	CreatedAt           time.Time
}

func (instanceEd25519KeyRow) TableName() string { return "instance_ed25519_keys" }

// InstanceEd25519Key returns the instance actor's Ed25519 key pair,
// creating it with create on first use. Concurrent first calls keep one
// key.
func (s *InstanceKeys) InstanceEd25519Key(ctx context.Context, create func() (*app.InstanceEd25519Key, error)) (*app.InstanceEd25519Key, error) {
	var row instanceEd25519KeyRow
	err := s.conn(ctx).First(&row, 1).Error
	if err == nil {
		return row.key(), nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, translate(err, "instance Ed25519 key")
	}
	fresh, err := create()
	if err != nil {
		return nil, fmt.Errorf("create instance Ed25519 key: %w", err)
	}
	row = instanceEd25519KeyRow{
		ID: 1, PrivateKeyMultibase: fresh.PrivateKeyMultibase,
		PublicKeyMultibase: fresh.PublicKeyMultibase, CreatedAt: fresh.CreatedAt,
	}
	if err := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return nil, translate(err, "instance Ed25519 key")
	}
	if err := s.conn(ctx).First(&row, 1).Error; err != nil {
		return nil, translate(err, "instance Ed25519 key")
	}
	return row.key(), nil
}

func (r *instanceEd25519KeyRow) key() *app.InstanceEd25519Key {
	return &app.InstanceEd25519Key{
		PrivateKeyMultibase: r.PrivateKeyMultibase, PublicKeyMultibase: r.PublicKeyMultibase, CreatedAt: r.CreatedAt,
	}
}

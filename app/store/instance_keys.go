package store

import (
	"context"
	"errors"
	"fmt"

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

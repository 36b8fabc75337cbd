package store

import "context"

// MigrateUpTo applies the migrations up to version only, so that a test
// can write rows as an older schema had them and then migrate on.
func (s *Store) MigrateUpTo(ctx context.Context, version int64) error {
	p, err := s.migrator(nil)
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

// MigrateDownTo rolls the migrations after version back.
func (s *Store) MigrateDownTo(ctx context.Context, version int64) error {
	p, err := s.migrator(nil)
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}

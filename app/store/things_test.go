package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
)

// TestPostsBecomeThings: posts published before the things table are
// things of their authors after the migration, on each dialect.
func TestPostsBecomeThings(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, storetest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.MigrateUpTo(ctx, 9); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	p := &app.Post{URI: "https://p.example/objects/old", ActivityURI: "https://p.example/activities/old", AuthorURI: "https://p.example/users/alice",
		Type: app.PostArticle, Name: "An old article", PublishedAt: now, CreatedAt: now, UpdatedAt: now}
	if err := s.InsertPost(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	th, err := s.ThingByURI(ctx, p.URI)
	if err != nil {
		t.Fatal(err)
	}
	if th.OwnerURI != p.AuthorURI || !th.OwnerConfirmed || !th.Local || th.Kind != app.PostArticle || th.Title != p.Name || th.Host != "p.example" {
		t.Fatalf("thing of the old post = %+v", th)
	}
}

package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store/storetest"
)

// TestLinkedActors: an actor linked by a link code maps to its funder; one
// both claimed (verified) by one funder and linked by a code to another
// maps to the claimer; a pending claim links no one.
func TestLinkedActors(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	now := time.Now().UTC()
	var ids []int64
	for _, name := range []string{"carol", "dan"} {
		u := &app.User{Username: name, CreatedAt: now, UpdatedAt: now}
		if err := s.CreateUser(ctx, u, app.UserSecrets{PasswordHash: "x", PrivateKeyPEM: "k"}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	carol, dan := ids[0], ids[1]
	const coded, both, pending = "https://m.example/users/coded", "https://m.example/users/both", "https://m.example/users/pending"
	for i, c := range []struct {
		user  int64
		actor string
		state string
	}{{carol, both, app.ClaimVerified}, {carol, pending, app.ClaimPending}} {
		err := s.InsertClaim(ctx, &app.Claim{UserID: c.user, ActorURI: "https://p.example/users/carol", Kind: app.ClaimActor, Subject: c.actor,
			URL: c.actor, Host: "m.example", State: c.state, CreatedAt: now, UpdatedAt: now})
		if err != nil {
			t.Fatalf("claim %d: %v", i, err)
		}
	}
	for i, actor := range []string{coded, both} {
		code := []string{"plaudit-aaaaaaaaaaaa", "plaudit-bbbbbbbbbbbb"}[i]
		if err := s.InsertLinkCode(ctx, code, dan, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if id, err := s.UseLinkCode(ctx, code, actor, now); err != nil || id != dan {
			t.Fatalf("use code for %s: %d, %v", actor, id, err)
		}
	}
	got, err := s.LinkedActors(ctx, []string{coded, both, pending, "https://m.example/users/stranger"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[coded] != dan || got[both] != carol {
		t.Fatalf("linked actors = %v; want coded → dan, both → carol (the claim)", got)
	}
}

package moderation_test

import (
	"context"
	"testing"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/moderation"
	"github.com/plaudit/plaudit/app/store/storetest"
)

func TestDomainBlocks(t *testing.T) {
	ctx := context.Background()
	m := moderation.New(storetest.Open(t), "https://plaudit.test/actor")
	if _, err := m.BlockDomain(ctx, "Spam.Example", app.BlockReject, "spam"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.BlockDomain(ctx, "quiet.example", app.BlockSilence, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := m.BlockDomain(ctx, "x.example", "maybe", ""); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("bad severity: %v", err)
	}
	for host, want := range map[string]bool{
		"spam.example":          true,
		"SPAM.example:8443":     true,
		"sub.spam.example":      true,
		"notspam.example":       false,
		"quiet.example":         false,
		"example":               false,
		"spam.example.evil.net": false,
	} {
		got, err := m.Rejects(ctx, host)
		if err != nil || got != want {
			t.Errorf("Rejects(%q) = %v, %v; want %v", host, got, err, want)
		}
	}
	if s, _ := m.Silences(ctx, "a.quiet.example"); !s {
		t.Error("subdomain of a silenced domain not silenced")
	}
	if err := m.UnblockDomain(ctx, "spam.example"); err != nil {
		t.Fatal(err)
	}
	if got, _ := m.Rejects(ctx, "spam.example"); got {
		t.Error("still rejected after unblock")
	}
	if err := m.UnblockDomain(ctx, "spam.example"); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("second unblock: %v", err)
	}
}

func TestActorBlocks(t *testing.T) {
	ctx := context.Background()
	m := moderation.New(storetest.Open(t), "https://plaudit.test/actor")
	const troll = "https://remote.example/users/troll"
	if err := m.BlockActor(ctx, troll, "abuse"); err != nil {
		t.Fatal(err)
	}
	if err := m.BlockActor(ctx, troll, "again"); err != nil {
		t.Fatalf("blocking twice: %v", err)
	}
	ok, err := m.Allows(ctx, "remote.example", troll)
	if err != nil || ok {
		t.Fatalf("Allows(troll) = %v, %v", ok, err)
	}
	if ok, _ := m.Allows(ctx, "remote.example", "https://remote.example/users/nice"); !ok {
		t.Fatal("other actor of the host refused")
	}
	if err := m.UnblockActor(ctx, troll); err != nil {
		t.Fatal(err)
	}
	if ok, _ := m.Allows(ctx, "remote.example", troll); !ok {
		t.Fatal("still blocked after unblock")
	}
}

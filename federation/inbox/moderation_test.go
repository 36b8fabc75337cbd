package inbox

import (
	"context"
	"errors"
	"testing"
	"time"
)

// countingModeration answers from blocked and counts the questions.
type countingModeration struct {
	blocked map[string]bool
	fail    bool
	asked   int
}

func (m *countingModeration) Rejects(_ context.Context, host string) (bool, error) {
	m.asked++
	if m.fail {
		return false, errors.New("database down")
	}
	return m.blocked[host], nil
}

func (m *countingModeration) ActorBlocked(_ context.Context, actor string) (bool, error) {
	m.asked++
	return m.blocked[actor], nil
}

func (m *countingModeration) Allows(context.Context, string, string) (bool, error) {
	return true, nil
}

func TestModerationCache(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	mod := &countingModeration{blocked: map[string]bool{}}
	c := newModerationCache(mod, 5*time.Second, func() time.Time { return now })

	if rejected, _ := c.Rejects(ctx, "a.example"); rejected {
		t.Fatal("rejected before any block")
	}
	mod.blocked["a.example"] = true
	if rejected, _ := c.Rejects(ctx, "a.example"); rejected || mod.asked != 1 {
		t.Fatalf("within the TTL: rejected %v after %d questions, want the cached answer", rejected, mod.asked)
	}
	if blocked, _ := c.ActorBlocked(ctx, "https://a.example/users/x"); blocked || mod.asked != 2 {
		t.Fatalf("actor answer: blocked %v, asked %d; want a question of its own", blocked, mod.asked)
	}
	now = now.Add(5 * time.Second)
	if rejected, _ := c.Rejects(ctx, "a.example"); !rejected || mod.asked != 3 {
		t.Fatalf("after the TTL: rejected %v, asked %d; want the block seen", rejected, mod.asked)
	}
	mod.fail = true
	if _, err := c.Rejects(ctx, "b.example"); err == nil {
		t.Fatal("an error was swallowed")
	}
	mod.fail = false
	if _, err := c.Rejects(ctx, "b.example"); err != nil || mod.asked != 5 {
		t.Fatalf("an error was cached: %v, asked %d", err, mod.asked)
	}
}

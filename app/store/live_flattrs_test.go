package store_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store/storetest"
)

// TestLiveFlattrsAmongReadsOnlyTheSlotsAsked: of two funders' flattrs of
// two things, asking for (a, x) and (b, y) returns those two and neither
// cross pair, nor an undone flattr, nor another month's.
func TestLiveFlattrsAmongReadsOnlyTheSlotsAsked(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	now := time.Now().UTC()
	var fs []*app.Flattr
	for _, funder := range []string{"a", "b"} {
		for _, thing := range []string{"x", "y"} {
			for _, month := range []string{"2026-11", "2026-12"} {
				fs = append(fs, &app.Flattr{
					ActivityURI: fmt.Sprintf("https://f.example/likes/%s-%s-%s", funder, thing, month),
					FunderURI:   "https://f.example/users/" + funder, ThingURI: "https://t.example/" + thing,
					Month: month, Weight: 2, State: app.FlattrActive, ChangedAt: now, CreatedAt: now,
				})
			}
		}
	}
	if _, err := s.InsertFlattrs(ctx, fs); err != nil {
		t.Fatal(err)
	}
	undone := &app.Flattr{ActivityURI: "https://f.example/likes/old", FunderURI: "https://f.example/users/a",
		ThingURI: "https://t.example/x", Month: "2026-12", Weight: 1, State: app.FlattrUndone, ChangedAt: now, CreatedAt: now}
	if _, err := s.InsertFlattrs(ctx, []*app.Flattr{undone}); err != nil {
		t.Fatal(err)
	}
	slots := []app.FlattrSlot{
		{FunderKey: "https://f.example/users/a", ThingURI: "https://t.example/x", Month: "2026-12"},
		{FunderKey: "https://f.example/users/b", ThingURI: "https://t.example/y", Month: "2026-12"},
		{FunderKey: "https://f.example/users/b", ThingURI: "https://t.example/y", Month: "2026-12"},
		{FunderKey: "https://f.example/users/nobody", ThingURI: "https://t.example/x", Month: "2026-12"},
	}
	got, err := s.LiveFlattrsAmong(ctx, slots)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range got {
		ids = append(ids, strings.TrimPrefix(f.ActivityURI, "https://f.example/likes/"))
	}
	sort.Strings(ids)
	if want := "a-x-2026-12 b-y-2026-12"; strings.Join(ids, " ") != want {
		t.Fatalf("live flattrs = %v, want %s", ids, want)
	}
	if got, err := s.LiveFlattrsAmong(ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("no slots: %v, %v", got, err)
	}
}

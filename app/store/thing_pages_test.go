package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store/storetest"
)

// TestThingCountsByURL: one query finds a thing's counts by its id or its
// web page; another month has no month counts but the same all-time
// ones; an unknown URL is ENOTFOUND.
func TestThingCountsByURL(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	const uri, page = "https://remote.example/users/bob/statuses/1", "https://remote.example/@bob/1"
	if err := st.UpsertThing(ctx, &app.Thing{URI: uri, URL: page, Kind: app.ThingNote, OwnerURI: "https://remote.example/users/bob", Host: "remote.example"}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	month := app.MonthOf(now)
	if c, err := st.ThingCountsByURL(ctx, uri, month); err != nil || c.FlattrsMonth != 0 || c.FlattrsAllTime != 0 || !c.UpdatedAt.IsZero() {
		t.Fatalf("never counted: %+v, %v", c, err)
	}
	for i, funder := range []string{"https://a.example/users/carol", "https://b.example/users/dave"} {
		if _, err := st.InsertFlattr(ctx, &app.Flattr{ActivityURI: funder + "#likes/1", FunderURI: funder, ThingURI: uri, Month: month, Weight: i + 1, State: app.FlattrActive}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.RecountThing(ctx, uri, month, now); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{uri, page} {
		c, err := st.ThingCountsByURL(ctx, u, month)
		if err != nil || c.FlattrsMonth != 2 || c.FlattrsAllTime != 2 || c.Funders != 2 || c.Month != month || c.UpdatedAt.IsZero() {
			t.Errorf("by %s: %+v, %v", u, c, err)
		}
	}
	if c, err := st.ThingCountsByURL(ctx, uri, "1999-01"); err != nil || c.FlattrsMonth != 0 || c.FlattrsAllTime != 2 {
		t.Errorf("another month: %+v, %v", c, err)
	}
	if _, err := st.ThingCountsByURL(ctx, "https://never.example/x", month); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("unknown: %v, want ENOTFOUND", err)
	}
}

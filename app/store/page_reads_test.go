package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store/storetest"
)

// TestCountedThings: the page reads give each thing with its counts of
// the month in one query: by id or web page, by owner (newest first,
// deleted ones left out) and the month's most flattred.
func TestCountedThings(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	const owner = "https://remote.example/users/bob"
	now := time.Now()
	month := app.MonthOf(now)
	var uris []string
	for i, title := range []string{"first", "second", "third"} {
		uri := owner + "/statuses/" + title
		uris = append(uris, uri)
		if err := st.UpsertThing(ctx, &app.Thing{URI: uri, URL: "https://remote.example/@bob/" + title, Kind: app.ThingNote, Title: title,
			OwnerURI: owner, OwnerConfirmed: true, Host: "remote.example", PaymentLinks: []app.PaymentLink{{Kind: app.PaymentFEP0ea0, Href: "https://pay.example/bob"}}}); err != nil {
			t.Fatal(err)
		}
		for f := 0; f < i; f++ {
			funder := "https://a.example/users/f" + string(rune('a'+f))
			if _, err := st.InsertFlattr(ctx, &app.Flattr{ActivityURI: funder + "#likes/" + title, FunderURI: funder, ThingURI: uri, Month: month, Weight: 1, State: app.FlattrActive}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.RecountThing(ctx, uri, month, now); err != nil {
			t.Fatal(err)
		}
	}
	ct, err := st.CountedThingByURL(ctx, "https://remote.example/@bob/third", month)
	if err != nil || ct.URI != uris[2] || ct.Title != "third" || ct.Counts.FlattrsMonth != 2 || ct.Counts.FlattrsAllTime != 2 || ct.Counts.Funders != 2 ||
		ct.Counts.Month != month || len(ct.PaymentLinks) != 1 {
		t.Fatalf("by web page: %+v, %v", ct, err)
	}
	if _, err := st.CountedThingByURL(ctx, "https://never.example/x", month); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("unknown: %v, want ENOTFOUND", err)
	}
	if _, err := st.MarkThingDeleted(ctx, uris[1], now); err != nil {
		t.Fatal(err)
	}
	owned, err := st.CountedThingsOwnedBy(ctx, owner, month, 10)
	if err != nil || len(owned) != 2 || owned[0].Title != "third" || owned[0].Counts.FlattrsMonth != 2 || owned[1].Title != "first" || owned[1].Counts.FlattrsMonth != 0 {
		t.Fatalf("owned: %+v, %v", owned, err)
	}
	if other, err := st.CountedThingsOwnedBy(ctx, owner, "1999-01", 10); err != nil || len(other) != 2 || other[0].Counts.FlattrsMonth != 0 || other[0].Counts.FlattrsAllTime != 2 {
		t.Fatalf("another month: %+v, %v", other, err)
	}
	top, err := st.TopCountedThings(ctx, month, 10)
	if err != nil || len(top) != 1 || top[0].Title != "third" || top[0].Counts.FlattrsMonth != 2 {
		t.Fatalf("top (the deleted second left out, first never flattred): %+v, %v", top, err)
	}
}

package proof

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// statementOf is a statement with n line items.
func statementOf(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"@context":["https://www.w3.org/ns/activitystreams","https://w3id.org/security/data-integrity/v1"],` +
		`"id":"https://b.example/statements/2026-11/a.example","type":"Offer","actor":"https://b.example/actor",` +
		`"to":"https://a.example/actor","month":"2026-11","currency":"EUR","total":` + fmt.Sprint(n*123) + `,"items":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"like":"https://b.example/users/u%d/likes/%d","thing":"https://a.example/things/%d","amount":123}`, i%1000, i, i%50000)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

func BenchmarkSign(b *testing.B) {
	for _, n := range []int{10, 1000, 100000} {
		doc := statementOf(n)
		b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if _, err := Sign(doc, mustKey("b"), peerMethod, time.Now()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, n := range []int{10, 1000, 100000} {
		signed, err := Sign(statementOf(n), mustKey("b"), peerMethod, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		r := peerResolver()
		b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(signed)))
			for b.Loop() {
				if _, err := Verify(context.Background(), signed, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

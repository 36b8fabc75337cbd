package actors_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/plaudit/plaudit/app/moderation"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/federation/actors"
)

// The real store and moderation service satisfy the consumer interfaces.
var (
	_ actors.Users      = (*store.Users)(nil)
	_ actors.Follows    = (*store.Follows)(nil)
	_ actors.Activities = (*store.Activities)(nil)
	_ actors.Moderation = (*moderation.Service)(nil)
)

// BenchmarkPersonGET measures serving a Person document: one user lookup,
// building and marshaling the document.
func BenchmarkPersonGET(b *testing.B) {
	e := newEnv(b, nil)
	e.mustUser(b, aliceUser())
	r := httptest.NewRequest(http.MethodGet, "/users/alice", nil)
	r.Header.Set("Accept", apJSON)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		e.engine.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}

package inbox

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/moderation"
	"github.com/plaudit/plaudit/federation/as2"
)

// actorReadsFail is the store with reads of remote actors failing.
type actorReadsFail struct{ Store }

func (actorReadsFail) RemoteActorByURI(context.Context, string) (*app.RemoteActor, error) {
	return nil, errors.New("database unavailable")
}

// TestUpdateWithoutKeyKeepsTheKeyWhenTheDatabaseFails: an Update(Person)
// without a key keeps the key we hold; when reading the stored actor
// fails, the update is retried rather than stored without the key.
func TestUpdateWithoutKeyKeepsTheKeyWhenTheDatabaseFails(t *testing.T) {
	e := newEnv(t, envOptions{quiet: true})
	ctx := context.Background()
	alice := e.alice()
	if _, err := e.fetcher.Actor(ctx, alice.id, false); err != nil {
		t.Fatal(err)
	}
	before, err := e.store.RemoteActorByURI(ctx, alice.id)
	if err != nil || before.PublicKeyPEM == "" {
		t.Fatalf("stored actor = %+v, %v", before, err)
	}
	in := New(Deps{
		Store: actorReadsFail{e.store}, Remote: e.fetcher, Moderation: e.mod, Queue: e.queue,
		Follows: e.follows, Likes: newLikes(e.store, e.urls),
		Blocks: moderation.NewRemoteBlocks(e.store, e.store, e.store, nil), URLs: e.urls,
	})
	person := map[string]any{"id": alice.id, "type": "Person", "preferredUsername": "alice", "name": "Alice Renamed", "inbox": alice.id + "/inbox"}
	rec := e.insertReceived(e.mustJSON(as2.NewActivity(alice.id+"#updates/1", "Update", alice.id, person)), time.Now(), app.ActivityPending)
	if err := in.Process(ctx, rec.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.activity(rec.URI); got.State != app.ActivityPending || got.Attempts != 1 {
		t.Errorf("activity %s after %d attempts, want pending for a retry after 1", got.State, got.Attempts)
	}
	after, err := e.store.RemoteActorByURI(ctx, alice.id)
	if err != nil || after.PublicKeyPEM != before.PublicKeyPEM || after.Name == "Alice Renamed" {
		t.Errorf("stored actor after the failed update = %+v, %v; want unchanged", after, err)
	}
}

package inbox

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/moderation"
)

// offline is a Remote that never goes to the network: fuzzed documents name
// arbitrary hosts, and tests connect to loopback only.
type offline struct{}

func (offline) Actor(_ context.Context, uri string, _ bool) (*app.RemoteActor, error) {
	return nil, app.Errorf(app.ENOTFOUND, "offline: %s", uri)
}

func (offline) Object(_ context.Context, uri string) (*app.RemoteObject, error) {
	return nil, app.Errorf(app.ENOTFOUND, "offline: %s", uri)
}

// FuzzProcess feeds arbitrary stored documents to Process: it must not
// panic, and must either finish the activity (processed or failed) or
// report an error to retry.
func FuzzProcess(f *testing.F) {
	files, _ := filepath.Glob("../testdata/*.json")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	for _, seed := range []string{
		`{"id":"https://plaudit.example/x","type":"Undo","actor":"https://plaudit.example/users/carol","object":{"type":"Follow"}}`,
		`{"id":"https://r.example/1","type":"Accept","actor":"https://r.example/a","object":{"type":["Follow"],"object":[]}}`,
		`{"id":"https://r.example/2","type":"Update","actor":"https://r.example/a","object":{"id":"https://r.example/a","type":"Person","publicKey":[1,"x",{}]}}`,
		`{"id":"https://r.example/3","type":"Delete","actor":"https://r.example/a","object":{"type":"Tombstone"}}`,
	} {
		f.Add([]byte(seed))
	}
	e := newEnv(f, envOptions{quiet: true})
	in := New(Deps{Store: e.store, Remote: offline{}, Moderation: e.mod, Queue: e.queue,
		Follows: e.follows, Likes: newLikes(e.store, e.urls),
		Blocks: moderation.NewRemoteBlocks(e.store, e.store, e.store, nil), URLs: e.urls})
	n := 0
	f.Fuzz(func(t *testing.T, doc []byte) {
		n++
		ctx := context.Background()
		rec := &app.Activity{URI: "https://fuzz.example/" + strconv.Itoa(n), Type: "Fuzz", ActorURI: "https://fuzz.example/a",
			Document: string(doc), State: app.ActivityPending, CreatedAt: time.Now().UTC()}
		if _, err := e.store.InsertActivity(ctx, rec); err != nil {
			t.Skip("not storable:", err) // e.g. invalid UTF-8, refused by the HTTP side already
		}
		if err := in.Process(ctx, rec.ID); err != nil {
			return // to be retried: fine
		}
		got, err := e.store.ActivityByID(ctx, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != app.ActivityProcessed && got.State != app.ActivityFailed {
			t.Fatalf("state %s after a successful Process", got.State)
		}
	})
}

package inbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/jobs/jobstest"
)

// TestBatchWriterStoresEachURIOnce sends 400 concurrent inserts of 100
// URIs, each four times: every URI is stored once and reported new once,
// by one writer or by several at once.
func TestBatchWriterStoresEachURIOnce(t *testing.T) {
	for _, writers := range []int{1, 4} {
		t.Run(fmt.Sprintf("writers=%d", writers), func(t *testing.T) { testStoresEachURIOnce(t, writers) })
	}
}

func testStoresEachURIOnce(t *testing.T, writers int) {
	st := storetest.Open(t)
	q := &fakeQueue{}
	w := newBatchWriter(st, q, writers, slog.New(slog.DiscardHandler))
	var (
		wg    sync.WaitGroup
		fresh [100]atomic.Int32
	)
	for copy := 0; copy < 4; copy++ {
		for i := 0; i < 100; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				row := &app.Activity{
					URI: fmt.Sprintf("https://remote.example/likes/%d", i), Type: "Like",
					ActorURI: "https://remote.example/users/a", Document: "{}", State: app.ActivityPending, CreatedAt: time.Now().UTC(),
				}
				inserted, err := w.insert(context.Background(), row)
				if err != nil {
					t.Error(err)
					return
				}
				if inserted {
					fresh[i].Add(1)
					if row.ID == 0 {
						t.Error("inserted row has no id")
					}
				}
			}()
		}
	}
	wg.Wait()
	for i := range fresh {
		if n := fresh[i].Load(); n != 1 {
			t.Fatalf("URI %d reported new %d times, want 1", i, n)
		}
	}
	var stored []int64
	st.DB().Model(&app.Activity{}).Order("id").Pluck("id", &stored)
	if len(stored) != 100 {
		t.Fatalf("%d rows, want 100", len(stored))
	}
	// Every stored Like is queued once, in a batch task with the others
	// written with it; duplicates are not queued.
	queued := q.IDs()
	slices.Sort(queued)
	if !slices.Equal(queued, stored) {
		t.Errorf("queued %v, want each stored row once: %v", queued, stored)
	}
	for _, task := range q.Tasks() {
		if !task.Batch {
			t.Errorf("Like queued alone: %+v", task)
		}
	}
}

// TestBatchWriterQueuesOtherTypesAlone: in a batch written together, the
// Likes are queued as one task and a Follow in a task of its own.
func TestBatchWriterQueuesOtherTypesAlone(t *testing.T) {
	st := storetest.Open(t)
	held := heldStore{Store: st, writing: make(chan struct{}, 8), release: make(chan struct{})}
	q := &fakeQueue{}
	w := newBatchWriter(held, q, 1, slog.New(slog.DiscardHandler))
	row := func(typ string, n int) *app.Activity {
		return &app.Activity{URI: fmt.Sprintf("https://remote.example/%s/%d", typ, n), Type: typ,
			ActorURI: "https://remote.example/users/a", Document: "{}", State: app.ActivityPending, CreatedAt: time.Now().UTC()}
	}
	var wg sync.WaitGroup
	insert := func(r *app.Activity) {
		wg.Go(func() {
			if _, err := w.insert(context.Background(), r); err != nil {
				t.Error(err)
			}
		})
	}
	insert(row("Like", 0)) // the first write, held while the others queue up
	<-held.writing
	for _, r := range []*app.Activity{row("Like", 1), row("Follow", 2), row("EmojiReact", 3), row("Like", 4)} {
		insert(r)
	}
	jobstest.WaitUntil(t, "the four rows to wait for the writer", func() bool { return len(w.queue) == 4 })
	close(held.release)
	wg.Wait()
	var kinds []string
	for _, task := range q.Tasks() {
		kinds = append(kinds, fmt.Sprintf("batch=%v rows=%d", task.Batch, len(task.IDs)))
	}
	slices.Sort(kinds)
	want := []string{"batch=false rows=1", "batch=true rows=1", "batch=true rows=3"}
	if !slices.Equal(kinds, want) {
		t.Errorf("tasks %v, want %v (the first Like alone, then the Follow alone and the other three together)", kinds, want)
	}
}

// TestBatchWritersOverlap: with two writers, a second batch is written
// while the first is still in its write, and both are answered; rows that
// arrive while both are busy wait for the next free writer.
func TestBatchWritersOverlap(t *testing.T) {
	st := storetest.Open(t)
	held := heldStore{Store: st, writing: make(chan struct{}, 8), release: make(chan struct{})}
	w := newBatchWriter(held, &fakeQueue{}, 2, slog.New(slog.DiscardHandler))
	results := make(chan error, 3)
	insert := func(n int) { results <- insertHeldRow(w, n) }
	go insert(0)
	<-held.writing
	go insert(1)
	select {
	case <-held.writing: // the second writer took row 1 while row 0 is held
	case <-time.After(10 * time.Second):
		t.Fatal("the second batch was not written while the first was")
	}
	go insert(2)
	jobstest.WaitUntil(t, "row 2 to wait for a free writer", func() bool { return len(w.queue) == 1 })
	close(held.release)
	for range 3 {
		if err := <-results; err != nil {
			t.Error(err)
		}
	}
	if err := w.shutdown(context.Background()); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	var n int64
	st.DB().Model(&app.Activity{}).Count(&n)
	if n != 3 {
		t.Fatalf("%d rows stored, want 3", n)
	}
}

// likeRow is a received Like, the n-th of a test.
func likeRow(n int) *app.Activity {
	return &app.Activity{URI: fmt.Sprintf("https://remote.example/likes/h%d", n), Type: "Like",
		ActorURI: "https://remote.example/users/a", Document: "{}", State: app.ActivityPending, CreatedAt: time.Now().UTC()}
}

// insertHeldRow inserts likeRow(n) through w: an error unless it was
// stored as new.
func insertHeldRow(w *batchWriter, n int) error {
	inserted, err := w.insert(context.Background(), likeRow(n))
	if err == nil && !inserted {
		err = fmt.Errorf("row %d not inserted", n)
	}
	return err
}

// heldStore holds every batch write until release is closed.
type heldStore struct {
	*store.Store
	writing chan struct{} // gets a value when a write starts
	release chan struct{}
}

func (s heldStore) InsertActivities(ctx context.Context, rows []*app.Activity) ([]bool, error) {
	s.writing <- struct{}{}
	<-s.release
	return s.Store.InsertActivities(ctx, rows)
}

// TestBatchWriterShutdown: rows handed over before Shutdown are all
// written and answered, Shutdown waits for them (or says it could not,
// when its context ends first), and a row sent afterwards is refused
// with ErrShutdown and not stored.
func TestBatchWriterShutdown(t *testing.T) {
	st := storetest.Open(t)
	held := heldStore{Store: st, writing: make(chan struct{}, 8), release: make(chan struct{})}
	w := newBatchWriter(held, &fakeQueue{}, 1, slog.New(slog.DiscardHandler))
	results := make(chan error, 3)
	insert := func(n int) { results <- insertHeldRow(w, n) }
	go insert(0)
	<-held.writing // row 0 is being written; rows 1 and 2 wait in the queue
	go insert(1)
	go insert(2)
	for len(w.queue) < 2 {
		time.Sleep(time.Millisecond)
	}

	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := w.shutdown(short); err == nil {
		t.Fatal("shutdown returned before the held writes were done")
	}
	if _, err := w.insert(context.Background(), likeRow(3)); !errors.Is(err, ErrShutdown) {
		t.Errorf("insert after shutdown = %v, want ErrShutdown", err)
	}
	close(held.release)
	if err := w.shutdown(context.Background()); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	for range 3 {
		if err := <-results; err != nil {
			t.Error(err)
		}
	}
	var n int64
	st.DB().Model(&app.Activity{}).Count(&n)
	if n != 3 {
		t.Fatalf("%d rows stored, want the 3 sent before shutdown", n)
	}
}

package inbox

import (
	"context"
	"sync"

	"github.com/plaudit/plaudit/app"
)

// maxBatch bounds how many received activities go into one INSERT.
const maxBatch = 128

// batchStore is the store method the batch writer uses.
type batchStore interface {
	InsertActivities(ctx context.Context, rows []*app.Activity) ([]bool, error)
}

// pendingRow is one request waiting for its activity to be stored.
type pendingRow struct {
	row  *app.Activity
	done chan rowResult
}

type rowResult struct {
	inserted bool
	err      error
}

// batchWriter stores received activities for many concurrent requests in
// one statement and one commit. It adds no delay: a request that finds the
// writer idle is written at once, alone; requests that arrive while a write
// is under way are written together in the next one. Each request still
// gets its answer only after its row is committed.
type batchWriter struct {
	store batchStore
	queue chan pendingRow
	once  sync.Once
}

func newBatchWriter(store batchStore) *batchWriter {
	return &batchWriter{store: store, queue: make(chan pendingRow, 4*maxBatch)}
}

// insert stores row (once per URI) and reports whether it was new.
func (w *batchWriter) insert(ctx context.Context, row *app.Activity) (bool, error) {
	w.once.Do(func() { go w.run() })
	p := pendingRow{row: row, done: make(chan rowResult, 1)}
	select {
	case w.queue <- p:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	select {
	case r := <-p.done:
		return r.inserted, r.err
	case <-ctx.Done():
		// The row may still be written; the sender's retry is then a duplicate.
		return false, ctx.Err()
	}
}

// run writes batches for the life of the process.
func (w *batchWriter) run() {
	batch := make([]pendingRow, 0, maxBatch)
	for first := range w.queue {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxBatch {
			select {
			case p := <-w.queue:
				batch = append(batch, p)
			default:
				break fill
			}
		}
		w.write(batch)
	}
}

func (w *batchWriter) write(batch []pendingRow) {
	rows := make([]*app.Activity, len(batch))
	for i, p := range batch {
		rows[i] = p.row
	}
	// The requests' contexts may end while others in the batch wait; the
	// write itself is not tied to any one of them.
	inserted, err := w.store.InsertActivities(context.Background(), rows)
	for i, p := range batch {
		if err != nil {
			p.done <- rowResult{err: err}
			continue
		}
		p.done <- rowResult{inserted: inserted[i]}
	}
}

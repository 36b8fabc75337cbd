package inbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// maxBatch bounds how many received activities go into one INSERT.
const maxBatch = 128

// ErrShutdown is returned for activities received after Shutdown.
var ErrShutdown = errors.New("inbox is shut down")

// batchStore is the store method the batch writer uses.
type batchStore interface {
	InsertActivities(ctx context.Context, rows []*app.Activity) ([]bool, error)
}

// pendingRow is one request waiting for its activity to be stored; act
// is its parsed document, when the request had it.
type pendingRow struct {
	row  *app.Activity
	act  *as2.Activity
	done chan rowResult
}

type rowResult struct {
	inserted bool
	err      error
}

// batchWriter stores received activities for many concurrent requests in
// one statement and one commit. It adds no delay: a request that finds a
// writer idle is written at once, alone; requests that arrive while the
// writes are under way are written together in the next one. Each request
// still gets its answer only after its row is committed. With several
// writers, that many batches are in their transactions at once (a database
// that takes concurrent writers turns the wait for a commit into work on
// the next batch); one writer keeps them in order.
type batchWriter struct {
	store batchStore
	tasks Queue // where stored rows are queued for processing
	log   *slog.Logger
	// apply, when set, stores a batch and applies its Likes in one
	// transaction (see Inbox.storeApplied); errNotTogether or any error
	// means nothing was stored, and the rows are stored pending instead.
	apply   func(ctx context.Context, batch []pendingRow) ([]bool, error)
	writers int // goroutines writing batches, at least 1
	queue   chan pendingRow
	start   sync.Once
	done    chan struct{} // closed when every writer has returned

	mu       sync.Mutex
	closed   bool
	stopping chan struct{} // closed by shutdown: senders give up
	senders  sync.WaitGroup
}

func newBatchWriter(store batchStore, tasks Queue, writers int, log *slog.Logger) *batchWriter {
	if writers < 1 {
		writers = 1
	}
	return &batchWriter{
		store: store, tasks: tasks, log: log, writers: writers, queue: make(chan pendingRow, 4*maxBatch),
		done: make(chan struct{}), stopping: make(chan struct{}),
	}
}

// launch starts the writers (once).
func (w *batchWriter) launch() {
	w.start.Do(func() {
		var running sync.WaitGroup
		for range w.writers {
			running.Go(w.run)
		}
		go func() {
			running.Wait()
			close(w.done)
		}()
	})
}

// insert stores row (once per URI) and reports whether it was new. After
// shutdown it returns ErrShutdown.
func (w *batchWriter) insert(ctx context.Context, row *app.Activity) (bool, error) {
	return w.insertParsed(ctx, row, nil)
}

// insertParsed is insert for a row whose document act is parsed already:
// a Like may then be applied as it is stored.
func (w *batchWriter) insertParsed(ctx context.Context, row *app.Activity, act *as2.Activity) (bool, error) {
	p := pendingRow{row: row, act: act, done: make(chan rowResult, 1)}
	if err := w.send(ctx, p); err != nil {
		return false, err
	}
	select {
	case r := <-p.done:
		return r.inserted, r.err
	case <-ctx.Done():
		// The row may still be written; the sender's retry is then a duplicate.
		return false, ctx.Err()
	}
}

// send hands p to the writer, unless the writer is shut down first.
func (w *batchWriter) send(ctx context.Context, p pendingRow) error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return ErrShutdown
	}
	w.senders.Add(1)
	w.mu.Unlock()
	defer w.senders.Done()
	w.launch()
	select {
	case w.queue <- p:
		return nil
	case <-w.stopping:
		return ErrShutdown
	case <-ctx.Done():
		return ctx.Err()
	}
}

// shutdown refuses new rows, writes those already handed over and stops
// the writer. It returns when the last write is done, or with ctx's error
// when ctx ends first (the writes then still finish, and answer their
// requests, in the background).
func (w *batchWriter) shutdown(ctx context.Context) error {
	w.mu.Lock()
	first := !w.closed
	if first {
		w.closed = true
		close(w.stopping)
	}
	w.mu.Unlock()
	if first {
		// No sender can start any more; wait for those under way to hand
		// their row over or give up, then let run drain the queue and end.
		w.senders.Wait()
		w.launch()
		close(w.queue)
	}
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("inbox shutdown: rows still being written: %w", ctx.Err())
	}
}

// run writes batches until the queue is closed and empty.
func (w *batchWriter) run() {
	batch := make([]pendingRow, 0, maxBatch)
	for first := range w.queue {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxBatch {
			select {
			case p, ok := <-w.queue:
				if !ok {
					break fill
				}
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
	ctx := context.Background()
	inserted, err := w.storeRows(ctx, batch, rows)
	if err == nil {
		w.enqueue(ctx, rows, inserted)
	}
	for i, p := range batch {
		if err != nil {
			p.done <- rowResult{err: err}
			continue
		}
		p.done <- rowResult{inserted: inserted[i]}
	}
}

// storeRows stores the batch: with its Likes applied when it can, else
// all pending for the worker.
func (w *batchWriter) storeRows(ctx context.Context, batch []pendingRow, rows []*app.Activity) ([]bool, error) {
	if w.apply != nil {
		inserted, err := w.apply(ctx, batch)
		if err == nil {
			return inserted, nil
		}
		if !errors.Is(err, errNotTogether) {
			w.log.WarnContext(ctx, "inbox: could not apply a batch as it was stored, storing it pending", "rows", len(rows), "err", err)
		}
		for _, r := range rows { // as they were before the rolled back attempt
			r.ID, r.State, r.ProcessedAt = 0, app.ActivityPending, nil
		}
	}
	return w.store.InsertActivities(ctx, rows)
}

// enqueue queues the rows just stored: the Likes (and reactions) as one
// batch task, any other activity in a task of its own, as its handler may
// take long (fetches). It runs before the requests are answered. A row
// whose task is not queued is pending: SweepPending queues it.
func (w *batchWriter) enqueue(ctx context.Context, rows []*app.Activity, inserted []bool) {
	var likes []int64
	for i, row := range rows {
		switch {
		case !inserted[i], row.State != app.ActivityPending: // a duplicate, or applied already
		case batchable(row.Type):
			likes = append(likes, row.ID)
		default:
			if err := w.tasks.EnqueueInbox(ctx, row.ID); err != nil {
				w.log.WarnContext(ctx, "inbox: enqueue failed, the sweep will retry", "activity_id", row.ID, "err", err)
			}
		}
	}
	if len(likes) == 0 {
		return
	}
	if err := w.tasks.EnqueueInboxBatch(ctx, likes); err != nil {
		w.log.WarnContext(ctx, "inbox: enqueue of a batch failed, the sweep will retry", "activities", len(likes), "first_id", likes[0], "err", err)
	}
}

// Shutdown stops the inbox's background writer: activities received from
// now on are refused with ErrShutdown, and those already handed to it are
// written (their requests get their answer) before it returns, or before
// ctx ends. Call it after the HTTP server stopped taking requests.
func (in *Inbox) Shutdown(ctx context.Context) error {
	if in.batch == nil {
		return nil
	}
	return in.batch.shutdown(ctx)
}

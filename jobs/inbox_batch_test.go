package jobs_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"

	"github.com/plaudit/plaudit/jobs"
)

// TestHandleBatchTask: the handler gets the ids of the payload; a payload
// that does not parse or names no row is not retried; the handler's error
// is returned for asynq to retry.
func TestHandleBatchTask(t *testing.T) {
	failed := errors.New("database down")
	tests := []struct {
		name      string
		payload   string
		handler   error
		wantIDs   []int64
		wantErr   error
		wantRetry bool
	}{
		{name: "ids", payload: `{"ids":[3,1,2]}`, wantIDs: []int64{3, 1, 2}},
		{name: "handler fails", payload: `{"ids":[7]}`, handler: failed, wantIDs: []int64{7}, wantErr: failed, wantRetry: true},
		{name: "no ids", payload: `{"ids":[]}`, wantErr: asynq.SkipRetry},
		{name: "not JSON", payload: `ids`, wantErr: asynq.SkipRetry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int64
			h := jobs.HandleBatchTask(func(_ context.Context, ids []int64) error {
				got = ids
				return tt.handler
			})
			err := h.ProcessTask(context.Background(), asynq.NewTask(jobs.TypeInboxBatch, []byte(tt.payload)))
			if diff := cmp.Diff(tt.wantIDs, got); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil && errors.Is(err, asynq.SkipRetry) == tt.wantRetry {
				t.Errorf("err = %v: retried %v, want %v", err, !errors.Is(err, asynq.SkipRetry), tt.wantRetry)
			}
		})
	}
}

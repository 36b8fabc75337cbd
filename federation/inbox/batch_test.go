package inbox

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store/storetest"
)

// TestBatchWriterStoresEachURIOnce sends 400 concurrent inserts of 100
// URIs, each four times: every URI is stored once and reported new once.
func TestBatchWriterStoresEachURIOnce(t *testing.T) {
	st := storetest.Open(t)
	w := newBatchWriter(st)
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
	var n int64
	st.DB().Model(&app.Activity{}).Count(&n)
	if n != 100 {
		t.Fatalf("%d rows, want 100", n)
	}
}

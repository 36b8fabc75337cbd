package delivery

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// hostBusyDelay is how long a delivery whose host is full waits before it
// is tried again, plus up to as much again of jitter, so that the
// deliveries put back together do not all come back together.
const hostBusyDelay = 2 * time.Second

// HostBusyError is returned by Deliver when the delivery's host already
// has all the requests it may get from this process: nothing was done and
// the delivery should be tried again after RetryAfter (the job queue does
// so without counting a failure; see jobs.Postponed).
type HostBusyError struct {
	Host  string
	After time.Duration
}

func (e *HostBusyError) Error() string {
	return fmt.Sprintf("host %s is busy: try again in %s", e.Host, e.After.Round(time.Millisecond))
}

// RetryAfter is how long to wait before trying again.
func (e *HostBusyError) RetryAfter() time.Duration { return e.After }

// busyDelay is hostBusyDelay with its jitter.
func busyDelay() time.Duration {
	return hostBusyDelay + time.Duration(rand.Int64N(int64(hostBusyDelay)+1))
}

package accounts

import "github.com/plaudit/plaudit/app"

// DefaultHashConcurrency is how many password hashes run at once when
// Options.HashSlots is nil.
const DefaultHashConcurrency = 2

// HashSlots bounds how many argon2id computations run at once. Each takes
// Argon2.Memory (64 MiB by default) for its whole run: unbounded, 16
// parallel failed sign-ins grew the heap by 896 MiB. A caller that finds
// every slot taken is refused at once instead of queued, so that a flood
// of sign-ins costs no memory and holds no connection open. One HashSlots
// may be shared by several Services of a process.
type HashSlots struct {
	slots chan struct{}
}

// NewHashSlots returns n slots (at least 1).
func NewHashSlots(n int) *HashSlots {
	return &HashSlots{slots: make(chan struct{}, max(1, n))}
}

// TryAcquire takes a slot if one is free and tells whether it did.
func (h *HashSlots) TryAcquire() bool {
	select {
	case h.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// Release frees a slot taken with TryAcquire.
func (h *HashSlots) Release() { <-h.slots }

// errBusy is the answer when every slot is taken.
var errBusy = app.Errorf(app.ERATELIMITED, "the server is busy checking other passwords; try again in a second")

// withHashSlot runs fn, which hashes a password, in a free slot, or
// returns errBusy (app.ERATELIMITED) when there is none.
func (s *Service) withHashSlot(fn func() error) error {
	if !s.opts.HashSlots.TryAcquire() {
		return errBusy
	}
	defer s.opts.HashSlots.Release()
	return fn()
}

package app

import (
	"fmt"
	"time"
)

// Flattr weights.
const (
	MinWeight     = 1
	MaxWeight     = 10
	DefaultWeight = 1
)

// Flattr states.
const (
	FlattrActive   = "active"   // counts in its month
	FlattrPending  = "pending"  // waits for the thing's server to approve the Like
	FlattrUndone   = "undone"   // withdrawn by its funder
	FlattrRejected = "rejected" // the thing's server refused the Like
)

// Flattr is a funder's appreciation of a thing in one month, with a weight:
// their budget for the month is split over their flattrs by weight. It
// travels between servers as a Like with Plaudit's weight terms.
//
// A flattr a local funder made (Local) is paid from their wallet; one
// received from another server is paid by that server's monthly
// statement. An anonymous flattr is sent from the instance actor: the
// thing's server records that actor as FunderURI and never learns the
// funder; on the funder's own server FunderURI stays the funder.
type Flattr struct {
	ID          int64
	ActivityURI string // the id of the Like
	FunderURI   string
	ThingURI    string
	OwnerURI    string // the thing's owner when the flattr was made
	Month       string // YYYY-MM, UTC
	Weight      int
	// Tip is a one-off amount (minor units of the instance currency) a
	// local funder adds to the flattr, paid at the close on top of the
	// budget's split.
	Tip       int64
	Anonymous bool
	Local     bool
	State     string
	// ChangedAt is when the funder last set the weight: a change older
	// than the stored one is ignored, whatever order changes arrive in.
	ChangedAt time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Live tells whether the flattr still stands (active or awaiting
// approval).
func (f *Flattr) Live() bool { return f.State == FlattrActive || f.State == FlattrPending }

// Key is the funder's key of the flattr's slot (see FlattrSlot): the
// funder, except for an anonymous flattr from another server, which comes
// from that server's instance actor and is told apart by its Like.
func (f *Flattr) Key() string {
	if f.Anonymous && !f.Local {
		return f.ActivityURI
	}
	return f.FunderURI
}

// CheckWeight refuses a weight outside MinWeight–MaxWeight.
func CheckWeight(w int) error {
	if w < MinWeight || w > MaxWeight {
		return Errorf(EINVALID, "weight %d is out of range: a flattr weighs %d to %d", w, MinWeight, MaxWeight)
	}
	return nil
}

// MonthOf is the month (YYYY-MM, UTC) t falls in.
func MonthOf(t time.Time) string { return t.UTC().Format("2006-01") }

// ParseMonth checks a YYYY-MM month and returns its first instant (UTC).
func ParseMonth(m string) (time.Time, error) {
	t, err := time.Parse("2006-01", m)
	if err != nil || len(m) != 7 {
		return time.Time{}, Errorf(EINVALID, "month %q is not of the form YYYY-MM", m)
	}
	return t.UTC(), nil
}

// MonthBounds returns the first instant of month m and of the month after.
func MonthBounds(m string) (start, end time.Time, err error) {
	start, err = ParseMonth(m)
	if err != nil {
		return start, end, fmt.Errorf("month bounds: %w", err)
	}
	return start, start.AddDate(0, 1, 0), nil
}

// Subscription renews a funder's flattr of a thing every month until it
// is cancelled (Flattr had them): LastMonth is the last month it flattred.
type Subscription struct {
	ID          int64
	Username    string
	FunderURI   string
	ThingURI    string
	Weight      int
	Anonymous   bool
	LastMonth   string
	CancelledAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// FlattrSlot is where one live flattr may stand: a funder (its key: the
// funder's URI, or the Like's id for a remote anonymous flattr), a thing
// and a month.
type FlattrSlot struct {
	FunderKey, ThingURI, Month string
}

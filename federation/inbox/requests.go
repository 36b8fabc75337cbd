package inbox

import (
	"context"
	"fmt"

	"github.com/plaudit/plaudit/app"
)

// requestStore lists follow requests.
type requestStore interface {
	PendingFollowsOf(ctx context.Context, followeeURI string, limit int) ([]app.Follow, error)
	FollowByID(ctx context.Context, id int64) (*app.Follow, error)
}

// FollowRequests lists the follows of username waiting for approval (users
// who approve followers by hand).
func (in *Inbox) FollowRequests(ctx context.Context, username string) ([]app.Follow, error) {
	rs, ok := in.store.(requestStore)
	if !ok {
		return nil, fmt.Errorf("follow requests: the store cannot list them")
	}
	return rs.PendingFollowsOf(ctx, in.urls.Actor(username), 500)
}

// DecideFollowRequest accepts or rejects follow request id of username and
// sends the Accept or Reject. Another user's request is not found.
func (in *Inbox) DecideFollowRequest(ctx context.Context, username string, id int64, accept bool) error {
	f, err := in.store.FollowByID(ctx, id)
	if err != nil {
		return err
	}
	if f.FolloweeURI != in.urls.Actor(username) {
		return app.Errorf(app.ENOTFOUND, "no follow request %d for %s", id, username)
	}
	if accept {
		return in.ApproveFollow(ctx, id)
	}
	return in.RejectFollow(ctx, id)
}

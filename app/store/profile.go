package store

import (
	"context"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
)

// profileColumns are the users columns UpdateUserProfile may write.
var profileColumns = map[string]bool{
	"display_name":                true,
	"summary":                     true,
	"manually_approves_followers": true,
}

// UpdateUserProfile writes the given profile columns (display_name,
// summary, manually_approves_followers) of a user and bumps updated_at;
// any other column is refused. An unknown user is app.ENOTFOUND.
func (s *Store) UpdateUserProfile(ctx context.Context, userID int64, fields map[string]any) error {
	set := make(map[string]any, len(fields)+1)
	for col, v := range fields {
		if !profileColumns[col] {
			return fmt.Errorf("update profile of user %d: column %q is not a profile field", userID, col)
		}
		set[col] = v
	}
	set["updated_at"] = time.Now().UTC()
	res := s.conn(ctx).Model(&app.User{}).Where("id = ?", userID).Updates(set)
	if res.Error != nil {
		return translate(res.Error, fmt.Sprintf("update profile of user %d", userID))
	}
	if res.RowsAffected == 0 {
		return app.Errorf(app.ENOTFOUND, "no user %d", userID)
	}
	return nil
}

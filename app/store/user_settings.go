package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/plaudit/plaudit/app"
)

// userSettingsRow is a user's settings as stored.
type userSettingsRow struct {
	UserID             int64 `gorm:"primaryKey"`
	AnonymousByDefault bool
	ShowName           bool
	TimeZone           string
	UpdatedAt          time.Time
}

func (userSettingsRow) TableName() string { return "user_settings" }

// UserSettings reads a user's settings; a user who never saved any has
// app.DefaultUserSettings.
func (s *Users) UserSettings(ctx context.Context, userID int64) (app.UserSettings, error) {
	var r userSettingsRow
	err := s.conn(ctx).Where("user_id = ?", userID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return app.DefaultUserSettings(userID), nil
	}
	if err != nil {
		return app.UserSettings{}, translate(err, "settings")
	}
	return app.UserSettings{UserID: r.UserID, AnonymousByDefault: r.AnonymousByDefault, ShowName: r.ShowName,
		TimeZone: r.TimeZone, UpdatedAt: r.UpdatedAt.UTC()}, nil
}

// SaveUserSettings writes a user's settings, all of them.
func (s *Users) SaveUserSettings(ctx context.Context, us app.UserSettings) error {
	r := userSettingsRow{UserID: us.UserID, AnonymousByDefault: us.AnonymousByDefault, ShowName: us.ShowName,
		TimeZone: us.TimeZone, UpdatedAt: us.UpdatedAt.UTC()}
	err := s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"anonymous_by_default", "show_name", "time_zone", "updated_at"}),
	}).Create(&r).Error
	return translate(err, "save settings")
}

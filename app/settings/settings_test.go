package settings_test

import (
	"context"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/settings"
	"github.com/plaudit/plaudit/app/store/storetest"
)

// TestSettings: a user who never chose has the defaults; a change is
// saved as a whole and read back; a zone that is not one is refused as a
// field error and changes nothing; the settings are the user's own.
func TestSettings(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	for _, name := range []string{"carol", "dave"} {
		if err := st.CreateUser(ctx, &app.User{Username: name, CreatedAt: time.Now(), UpdatedAt: time.Now()}, app.UserSecrets{PasswordHash: "x", PrivateKeyPEM: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	svc := &settings.Service{Store: st.Users}
	got, err := svc.Get(ctx, "carol")
	if err != nil || !got.AnonymousByDefault || !got.ShowName || got.TimeZone != "UTC" {
		t.Fatalf("defaults = %+v, %v", got, err)
	}
	if _, err := svc.Update(ctx, "carol", settings.Change{ShowName: false, TimeZone: " Europe/Berlin "}); err != nil {
		t.Fatal(err)
	}
	got, err = svc.Get(ctx, "carol")
	if err != nil || got.AnonymousByDefault || got.ShowName || got.TimeZone != "Europe/Berlin" || got.Location().String() != "Europe/Berlin" {
		t.Fatalf("after the change = %+v, %v", got, err)
	}
	for _, zone := range []string{"Mars/Olympus", "../../etc/passwd", "Local", "/usr/share/zoneinfo/UTC"} {
		_, err := svc.Update(ctx, "carol", settings.Change{TimeZone: zone})
		var fe *settings.FieldError
		if !asField(err, &fe) || fe.Field != "time_zone" || app.ErrorCode(err) != app.EINVALID {
			t.Errorf("zone %q: %v, want a time_zone field error", zone, err)
		}
	}
	if got, _ := svc.Get(ctx, "carol"); got.TimeZone != "Europe/Berlin" {
		t.Errorf("a refused change changed the zone to %q", got.TimeZone)
	}
	if other, _ := svc.Get(ctx, "dave"); other.TimeZone != "UTC" || !other.ShowName {
		t.Errorf("dave's settings = %+v, want the defaults", other)
	}
	if !settings.Anonymous(got, false) || !settings.Anonymous(app.DefaultUserSettings(1), true) || settings.Anonymous(app.DefaultUserSettings(1), false) {
		t.Error("Anonymous: a hidden name makes every flattr anonymous, else as asked")
	}
}

func asField(err error, fe **settings.FieldError) bool {
	e, ok := err.(*settings.FieldError)
	*fe = e
	return ok
}

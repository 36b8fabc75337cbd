package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/settings"
)

// Settings are a user's own settings (implemented by *settings.Service).
type Settings interface {
	Get(ctx context.Context, username string) (app.UserSettings, error)
	Update(ctx context.Context, username string, c settings.Change) (app.UserSettings, error)
}

// settingsRoutes adds /dashboard/settings when Deps.Settings is set, with
// the auto-flattr link forms when Deps.AutoFlattr is too. Every route is
// the signed-in user's own; forms are CSRF-protected by the forms group.
func (s *Server) settingsRoutes(forms *gin.RouterGroup) {
	if s.deps.Settings == nil {
		return
	}
	d := forms.Group("dashboard", s.signedIn)
	d.GET("/settings", s.settingsPage)
	d.POST("/settings", s.postSettings)
	if s.deps.AutoFlattr != nil {
		d.POST("/settings/autoflattr", s.postAutoFlattrLink)
		d.POST("/settings/autoflattr/:id/unlink", s.postAutoFlattrUnlink)
	}
}

// settingsForm is what a refused form of the settings page sends back:
// the field errors and what was typed.
type settingsForm struct {
	Status                       int
	Flash                        string
	Prefs                        *app.UserSettings // typed, when the form was refused
	ZoneTyped, ZoneErr           string
	LinkServer, LinkCap, LinkExc string
	ServerErr, CapErr, LinkErr   string
	UnlinkID                     int64
	UnlinkErr                    string
}

// linkRow is an auto-flattr link on the settings page.
type linkRow struct {
	ID                   int64
	Server, State, Since string
	Cap                  int
	Exceptions           string
}

func (s *Server) settingsPage(c *gin.Context) {
	flash := map[string]string{"saved": "Settings saved.", "unlinked": "Unlinked: its favourites are no longer flattred."}[c.Query("done")]
	s.renderSettings(c, settingsForm{Status: http.StatusOK, Flash: flash})
}

// renderSettings shows the settings page with form's errors and values.
func (s *Server) renderSettings(c *gin.Context, form settingsForm) {
	ctx, u := c.Request.Context(), currentUser(c)
	us, err := s.deps.Settings.Get(ctx, u.Username)
	if err != nil {
		s.fail(c, err)
		return
	}
	loc := us.Location()
	shown, zone := us, us.TimeZone
	if form.Prefs != nil {
		shown, zone = *form.Prefs, form.ZoneTyped
	}
	data := gin.H{
		"Title": "Settings", "Flash": form.Flash, "Prefs": shown, "Zone": zone, "ZoneErr": form.ZoneErr,
		"Now": time.Now().In(loc).Format("Monday 2 January 2006, 15:04 MST"), "SavedZone": us.TimeZone,
		"CanLink": s.deps.AutoFlattr != nil, "LinkServer": form.LinkServer, "LinkCap": form.LinkCap, "LinkExc": form.LinkExc,
		"ServerErr": form.ServerErr, "CapErr": form.CapErr, "LinkErr": form.LinkErr,
	}
	if form.LinkCap == "" {
		data["LinkCap"] = "30"
	}
	if s.deps.AutoFlattr != nil {
		links, err := s.deps.AutoFlattr.Links(ctx, u.Username)
		if err != nil {
			s.fail(c, err)
			return
		}
		rows := make([]linkRow, 0, len(links))
		for _, l := range links {
			rows = append(rows, linkRow{ID: l.ID, Server: l.Server, State: l.State, Cap: l.Cap,
				Exceptions: strings.Join(l.Exceptions, ", "), Since: l.CreatedAt.In(loc).Format("2006-01-02 15:04 MST")})
		}
		data["Links"], data["UnlinkID"], data["UnlinkErr"] = rows, form.UnlinkID, form.UnlinkErr
	}
	c.Status(form.Status)
	s.render(c, "settings.html", data)
}

// postSettings is POST /dashboard/settings (anonymous_by_default,
// show_name, time_zone).
func (s *Server) postSettings(c *gin.Context) {
	change := settings.Change{
		AnonymousByDefault: c.PostForm("anonymous_by_default") != "",
		ShowName:           c.PostForm("show_name") != "",
		TimeZone:           c.PostForm("time_zone"),
	}
	if _, err := s.deps.Settings.Update(c.Request.Context(), currentUser(c).Username, change); err != nil {
		status := ErrorStatus(err)
		if status >= 500 {
			s.fail(c, err)
			return
		}
		typed := app.UserSettings{AnonymousByDefault: change.AnonymousByDefault, ShowName: change.ShowName, TimeZone: change.TimeZone}
		s.renderSettings(c, settingsForm{Status: status, Prefs: &typed, ZoneTyped: change.TimeZone, ZoneErr: app.ErrorMessage(err)})
		return
	}
	c.Redirect(http.StatusSeeOther, "/dashboard/settings?done=saved#privacy")
}

// postAutoFlattrLink is POST /dashboard/settings/autoflattr (server, cap,
// exceptions: one host a line): it sends the funder to their server to
// approve the link.
func (s *Server) postAutoFlattrLink(c *gin.Context) {
	form := settingsForm{
		LinkServer: strings.TrimSpace(c.PostForm("server")), LinkCap: strings.TrimSpace(c.PostForm("cap")), LinkExc: c.PostForm("exceptions"),
	}
	limit, err := strconv.Atoi(form.LinkCap)
	if err != nil {
		form.Status, form.CapErr = http.StatusBadRequest, "the monthly cap is a number of flattrs, like 30"
		s.renderSettings(c, form)
		return
	}
	var exceptions []string
	for _, f := range strings.FieldsFunc(form.LinkExc, func(r rune) bool { return r == '\n' || r == ',' || r == ' ' || r == '\r' }) {
		exceptions = append(exceptions, f)
	}
	authorize, _, err := s.deps.AutoFlattr.Start(c.Request.Context(), currentUser(c).Username, form.LinkServer, limit, exceptions)
	if err != nil {
		form.Status = ErrorStatus(err)
		if form.Status >= 500 && app.ErrorCode(err) != app.EUNAVAILABLE {
			s.fail(c, err)
			return
		}
		if msg := app.ErrorMessage(err); strings.Contains(msg, "monthly cap") {
			form.CapErr = msg
		} else {
			form.ServerErr = msg
		}
		s.renderSettings(c, form)
		return
	}
	c.Redirect(http.StatusSeeOther, authorize)
}

// postAutoFlattrUnlink is POST /dashboard/settings/autoflattr/:id/unlink.
func (s *Server) postAutoFlattrUnlink(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, app.Errorf(app.ENOTFOUND, "no link %q", c.Param("id")))
		return
	}
	if err := s.deps.AutoFlattr.Unlink(c.Request.Context(), currentUser(c).Username, id); err != nil {
		if app.ErrorCode(err) == app.EUNAVAILABLE {
			s.renderSettings(c, settingsForm{Status: ErrorStatus(err), UnlinkID: id, UnlinkErr: app.ErrorMessage(err)})
			return
		}
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/dashboard/settings?done=unlinked#autoflattr")
}

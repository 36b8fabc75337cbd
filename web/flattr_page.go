package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/flattrs"
	"github.com/plaudit/plaudit/app/settings"
)

// weights are the choices of the weight menus.
var weights = func() []int {
	w := make([]int, 0, app.MaxWeight-app.MinWeight+1)
	for i := app.MinWeight; i <= app.MaxWeight; i++ {
		w = append(w, i)
	}
	return w
}()

// flattrForm is the data of the confirm page for raw.
func (s *Server) flattrForm(raw string) gin.H {
	return gin.H{"Title": "Flattr", "URL": raw, "Weights": weights, "Weight": app.DefaultWeight, "Currency": s.deps.Currency}
}

// flattrDefaults adds the user's privacy settings to a flattr form: the
// "anonymously" box ticked by default, or no box when their name is
// never shown.
func (s *Server) flattrDefaults(c *gin.Context, u *app.User, data gin.H) {
	if s.deps.Settings == nil {
		return
	}
	us, err := s.deps.Settings.Get(c.Request.Context(), u.Username)
	if err != nil {
		logger(c).Warn("read settings for the flattr form", "err", err)
		return
	}
	data["AnonymousDefault"], data["NameHidden"] = us.AnonymousByDefault, !us.ShowName
}

// flattrAnonymously tells whether a flattr from the web form is
// anonymous: as asked, and always when the user hides their name.
func (s *Server) flattrAnonymously(c *gin.Context, u *app.User, asked bool) bool {
	if s.deps.Settings == nil {
		return asked
	}
	us, err := s.deps.Settings.Get(c.Request.Context(), u.Username)
	if err != nil {
		logger(c).Warn("read settings for a flattr; anonymous", "err", err)
		return true
	}
	return settings.Anonymous(us, asked)
}

// flattrPage is GET /flattr?url=: the signed-in user confirms a flattr.
// It resolves the URL (fetching it when it is new), shows what would be
// flattred and who gets the money, or why it cannot be flattred.
func (s *Server) flattrPage(c *gin.Context) {
	raw := c.Query("url")
	data := s.flattrForm(raw)
	if raw == "" {
		s.render(c, "flattr.html", data)
		return
	}
	t, err := s.deps.ThingResolver.Resolve(c.Request.Context(), raw)
	if err != nil {
		s.formError(c, "flattr.html", err, data)
		return
	}
	s.describeThing(c, t, data)
	s.render(c, "flattr.html", data)
}

// describeThing adds what the confirm page and the thing page show of t:
// its owner, and the user's flattr of it this month, if any.
func (s *Server) describeThing(c *gin.Context, t *app.Thing, data gin.H) {
	data["Thing"] = t
	data["ThingPage"] = s.thingPageURL(t)
	u := currentUser(c)
	if u == nil || s.deps.Flattrs == nil {
		return
	}
	if t.OwnerURI != "" && t.OwnerURI == s.deps.BaseURL+"/users/"+u.Username {
		data["Own"] = true
	}
	s.flattrDefaults(c, u, data)
	list, err := s.deps.Flattrs.List(c.Request.Context(), u.Username, "")
	if err != nil {
		logger(c).Warn("list flattrs for the confirm page", "err", err)
		return
	}
	for i := range list {
		if list[i].ThingURI == t.URI && list[i].Live() {
			data["Current"] = &list[i].Flattr
			data["Weight"] = list[i].Weight
		}
	}
}

// flattrPost is POST /flattr (url, weight, anonymous, csrf_token): the
// signed-in user flattrs the thing, or changes this month's weight.
func (s *Server) flattrPost(c *gin.Context) {
	u := currentUser(c)
	raw := c.PostForm("url")
	data := s.flattrForm(raw)
	weight, err := strconv.Atoi(c.DefaultPostForm("weight", strconv.Itoa(app.DefaultWeight)))
	if err != nil {
		s.formError(c, "flattr.html", app.Errorf(app.EINVALID, "weight must be a number from %d to %d", app.MinWeight, app.MaxWeight), data)
		return
	}
	data["Weight"] = weight
	data["Tip"] = strings.TrimSpace(c.PostForm("tip"))
	var tip *int64
	if typed := data["Tip"].(string); typed != "" {
		m, err := app.ParseMoney(typed, s.deps.Currency)
		if err == nil && m.Minor < 0 {
			err = app.Errorf(app.EINVALID, "a tip cannot be negative")
		}
		if err != nil {
			data["TipErr"] = app.ErrorMessage(err)
			if t, rerr := s.deps.ThingResolver.Resolve(c.Request.Context(), raw); rerr == nil {
				s.describeThing(c, t, data)
			}
			s.formError(c, "flattr.html", app.Errorf(app.EINVALID, "nothing was flattred: see the tip"), data)
			return
		}
		tip = &m.Minor
	}
	if raw == "" {
		s.formError(c, "flattr.html", app.Errorf(app.EINVALID, "url is missing: the id or web address of what to flattr"), data)
		return
	}
	if err := app.CheckWeight(weight); err != nil {
		s.formError(c, "flattr.html", err, data)
		return
	}
	ctx := c.Request.Context()
	anonymous := s.flattrAnonymously(c, u, c.PostForm("anonymous") != "")
	f, _, err := s.deps.Flattrs.Flattr(ctx, u.Username, flattrs.Request{URL: raw, Weight: weight, Anonymous: anonymous, Tip: tip})
	if err != nil {
		if t, rerr := s.deps.ThingResolver.Resolve(ctx, raw); rerr == nil {
			s.describeThing(c, t, data)
		}
		s.formError(c, "flattr.html", err, data)
		return
	}
	logger(c).Info("flattred from the web", "user", u.Username, "thing", f.ThingURI, "weight", f.Weight)
	data["Done"] = f
	if t, err := s.deps.ThingResolver.Resolve(ctx, f.ThingURI); err == nil {
		s.describeThing(c, t, data)
	}
	c.Status(http.StatusOK)
	s.render(c, "flattr.html", data)
}

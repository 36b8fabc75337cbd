package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/flattrs"
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
func flattrForm(raw string) gin.H {
	return gin.H{"Title": "Flattr", "URL": raw, "Weights": weights, "Weight": app.DefaultWeight}
}

// flattrPage is GET /flattr?url=: the signed-in user confirms a flattr.
// It resolves the URL (fetching it when it is new), shows what would be
// flattred and who gets the money, or why it cannot be flattred.
func (s *Server) flattrPage(c *gin.Context) {
	raw := c.Query("url")
	data := flattrForm(raw)
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
	data := flattrForm(raw)
	weight, err := strconv.Atoi(c.DefaultPostForm("weight", strconv.Itoa(app.DefaultWeight)))
	if err != nil {
		s.formError(c, "flattr.html", app.Errorf(app.EINVALID, "weight must be a number from %d to %d", app.MinWeight, app.MaxWeight), data)
		return
	}
	data["Weight"] = weight
	if raw == "" {
		s.formError(c, "flattr.html", app.Errorf(app.EINVALID, "url is missing: the id or web address of what to flattr"), data)
		return
	}
	if err := app.CheckWeight(weight); err != nil {
		s.formError(c, "flattr.html", err, data)
		return
	}
	ctx := c.Request.Context()
	f, _, err := s.deps.Flattrs.Flattr(ctx, u.Username, flattrs.Request{URL: raw, Weight: weight, Anonymous: c.PostForm("anonymous") != ""})
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

package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/flattrs"
)

// Flattrs are the flattr use cases the API calls (implemented by
// app/flattrs.Service).
type Flattrs interface {
	Flattr(ctx context.Context, username string, r flattrs.Request) (*app.Flattr, *app.Activity, error)
	ChangeWeight(ctx context.Context, username string, id int64, weight int) (*app.Flattr, error)
	SetTip(ctx context.Context, username string, id int64, tip int64) (*app.Flattr, error)
	Undo(ctx context.Context, username string, id int64) (*app.Flattr, error)
	Get(ctx context.Context, username string, id int64) (*app.Flattr, error)
	List(ctx context.Context, username, month string) ([]flattrs.Listed, error)
	ThingOf(ctx context.Context, f *app.Flattr) *app.Thing
}

// flattrRoutes adds /api/v1/flattrs when Deps.Flattrs is set.
func (s *Server) flattrRoutes(api *gin.RouterGroup) {
	if s.deps.Flattrs == nil {
		return
	}
	api.POST("/flattrs", s.requireScope("write:favourites"), s.postFlattr)
	api.GET("/flattrs", s.requireScope("read:favourites"), s.listFlattrs)
	api.GET("/flattrs/:id", s.requireScope("read:favourites"), s.getFlattr)
	api.PATCH("/flattrs/:id", s.requireScope("write:favourites"), s.patchFlattr)
	api.DELETE("/flattrs/:id", s.requireScope("write:favourites"), s.deleteFlattr)
}

// flattrJSON is a flattr as its funder sees it.
type flattrJSON struct {
	ID        string     `json:"id"`
	URI       string     `json:"uri"` // the Like's id
	Month     string     `json:"month"`
	Weight    int        `json:"weight"`
	Tip       *moneyJSON `json:"tip"`
	State     string     `json:"state"`
	Anonymous bool       `json:"anonymous"`
	CreatedAt string     `json:"created_at"`
	UpdatedAt string     `json:"updated_at"`
	Thing     *thingJSON `json:"thing"`
}

// thingJSON is a thing as the API shows it.
type thingJSON struct {
	URI   string `json:"uri"`
	URL   string `json:"url"`
	Kind  string `json:"kind"`
	Title string `json:"title"`
	Owner string `json:"owner"`
	Local bool   `json:"local"`
}

func toThingJSON(t *app.Thing) *thingJSON {
	if t == nil {
		return nil
	}
	return &thingJSON{URI: t.URI, URL: t.URL, Kind: t.Kind, Title: t.Display(), Owner: t.OwnerURI, Local: t.Local}
}

func (s *Server) toFlattrJSON(f *app.Flattr, t *app.Thing) flattrJSON {
	out := flattrJSON{
		ID: strconv.FormatInt(f.ID, 10), URI: f.ActivityURI, Month: f.Month, Weight: f.Weight, State: f.State,
		Anonymous: f.Anonymous, CreatedAt: formatTime(f.CreatedAt), UpdatedAt: formatTime(f.UpdatedAt),
		Thing: toThingJSON(t),
	}
	if out.Thing == nil {
		out.Thing = &thingJSON{URI: f.ThingURI, URL: f.ThingURI, Owner: f.OwnerURI}
	}
	if f.Tip > 0 {
		tip := toMoneyJSON(app.Money{Minor: f.Tip, Currency: s.deps.Currency})
		out.Tip = &tip
	}
	return out
}

// flattrBody is the JSON of POST and PATCH /api/v1/flattrs.
type flattrBody struct {
	URL       string  `json:"url"`
	Weight    *int    `json:"weight"`
	Anonymous bool    `json:"anonymous"`
	Tip       *string `json:"tip"` // a decimal amount, such as "1.00"; "0" removes the tip
}

// tipOf reads the body's tip in the instance currency, in minor units.
func (s *Server) tipOf(b flattrBody) (*int64, error) {
	if b.Tip == nil {
		return nil, nil
	}
	m, err := app.ParseMoney(*b.Tip, s.deps.Currency)
	if err != nil {
		return nil, err
	}
	return &m.Minor, nil
}

// readFlattrBody reads a JSON body, or a form for clients that post forms.
func readFlattrBody(c *gin.Context) (flattrBody, error) {
	var b flattrBody
	if err := c.ShouldBind(&b); err != nil {
		return b, app.Errorf(app.EINVALID, "the body must be JSON like {\"url\": \"https://…\", \"weight\": 3}: %v", err)
	}
	return b, nil
}

// postFlattr is POST /api/v1/flattrs: flattr the thing behind url this
// month (or change the weight of this month's flattr of it). 201 with the
// new flattr, 200 when it existed.
func (s *Server) postFlattr(c *gin.Context) {
	b, err := readFlattrBody(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if b.URL == "" {
		s.fail(c, app.Errorf(app.EINVALID, "url is missing: the id or web address of what to flattr"))
		return
	}
	r := flattrs.Request{URL: b.URL, Anonymous: b.Anonymous}
	if b.Weight != nil {
		if *b.Weight == 0 {
			s.fail(c, app.CheckWeight(0))
			return
		}
		r.Weight = *b.Weight
	}
	if r.Tip, err = s.tipOf(b); err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	f, act, err := s.deps.Flattrs.Flattr(ctx, currentUser(c).Username, r)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if act != nil && act.Type == "Like" {
		status = http.StatusCreated
	}
	c.Header("Location", "/api/v1/flattrs/"+strconv.FormatInt(f.ID, 10))
	s.writeFlattr(c, status, f)
}

// writeFlattr answers f with its thing.
func (s *Server) writeFlattr(c *gin.Context, status int, f *app.Flattr) {
	c.JSON(status, s.toFlattrJSON(f, s.deps.Flattrs.ThingOf(c.Request.Context(), f)))
}

func flattrID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, app.Errorf(app.ENOTFOUND, "no flattr %q", c.Param("id"))
	}
	return id, nil
}

// getFlattr is GET /api/v1/flattrs/:id.
func (s *Server) getFlattr(c *gin.Context) {
	id, err := flattrID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f, err := s.deps.Flattrs.Get(c.Request.Context(), currentUser(c).Username, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeFlattr(c, http.StatusOK, f)
}

// patchFlattr is PATCH /api/v1/flattrs/:id {"weight": n}.
func (s *Server) patchFlattr(c *gin.Context) {
	id, err := flattrID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	b, err := readFlattrBody(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	tip, err := s.tipOf(b)
	if err != nil {
		s.fail(c, err)
		return
	}
	if b.Weight == nil && tip == nil {
		s.fail(c, app.Errorf(app.EINVALID, "send a weight or a tip: {\"weight\": 1 to 10, \"tip\": \"1.00\"}"))
		return
	}
	ctx, user := c.Request.Context(), currentUser(c).Username
	f, err := s.deps.Flattrs.Get(ctx, user, id)
	if err == nil && tip != nil {
		f, err = s.deps.Flattrs.SetTip(ctx, user, id, *tip)
	}
	if err == nil && b.Weight != nil {
		f, err = s.deps.Flattrs.ChangeWeight(ctx, user, id, *b.Weight)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeFlattr(c, http.StatusOK, f)
}

// deleteFlattr is DELETE /api/v1/flattrs/:id: undo the flattr.
func (s *Server) deleteFlattr(c *gin.Context) {
	id, err := flattrID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f, err := s.deps.Flattrs.Undo(c.Request.Context(), currentUser(c).Username, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeFlattr(c, http.StatusOK, f)
}

// listFlattrs is GET /api/v1/flattrs?month=YYYY-MM (default: this month).
func (s *Server) listFlattrs(c *gin.Context) {
	list, err := s.deps.Flattrs.List(c.Request.Context(), currentUser(c).Username, c.Query("month"))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]flattrJSON, 0, len(list))
	for i := range list {
		out = append(out, s.toFlattrJSON(&list[i].Flattr, list[i].Thing))
	}
	c.JSON(http.StatusOK, out)
}

// Subscriptions are the subscription use cases the API calls
// (implemented by app/flattrs.Service).
type Subscriptions interface {
	Subscribe(ctx context.Context, username string, r flattrs.Request) (*app.Subscription, error)
	Subscriptions(ctx context.Context, username string) ([]app.Subscription, error)
	Cancel(ctx context.Context, username string, id int64) (*app.Subscription, error)
}

// subscriptionJSON is a subscription as its funder sees it.
type subscriptionJSON struct {
	ID          string  `json:"id"`
	ThingURI    string  `json:"thing_uri"`
	Weight      int     `json:"weight"`
	Anonymous   bool    `json:"anonymous"`
	LastMonth   string  `json:"last_month"`
	Active      bool    `json:"active"`
	CreatedAt   string  `json:"created_at"`
	CancelledAt *string `json:"cancelled_at"`
}

func toSubscriptionJSON(s *app.Subscription) subscriptionJSON {
	return subscriptionJSON{
		ID: strconv.FormatInt(s.ID, 10), ThingURI: s.ThingURI, Weight: s.Weight, Anonymous: s.Anonymous,
		LastMonth: s.LastMonth, Active: s.CancelledAt == nil, CreatedAt: formatTime(s.CreatedAt),
		CancelledAt: formatOptionalTime(s.CancelledAt),
	}
}

// subscriptionRoutes adds /api/v1/subscriptions when Deps.Subscriptions
// is set.
func (s *Server) subscriptionRoutes(api *gin.RouterGroup) {
	if s.deps.Subscriptions == nil {
		return
	}
	api.POST("/subscriptions", s.requireScope("write:favourites"), s.postSubscription)
	api.GET("/subscriptions", s.requireScope("read:favourites"), s.listSubscriptions)
	api.DELETE("/subscriptions/:id", s.requireScope("write:favourites"), s.cancelSubscription)
}

// postSubscription is POST /api/v1/subscriptions {"url": …, "weight": n}:
// flattr now and every month until cancelled.
func (s *Server) postSubscription(c *gin.Context) {
	b, err := readFlattrBody(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if b.URL == "" {
		s.fail(c, app.Errorf(app.EINVALID, "url is missing: the id or web address of what to flattr every month"))
		return
	}
	r := flattrs.Request{URL: b.URL, Anonymous: b.Anonymous}
	if b.Weight != nil {
		if err := app.CheckWeight(*b.Weight); err != nil {
			s.fail(c, err)
			return
		}
		r.Weight = *b.Weight
	}
	sub, err := s.deps.Subscriptions.Subscribe(c.Request.Context(), currentUser(c).Username, r)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toSubscriptionJSON(sub))
}

// listSubscriptions is GET /api/v1/subscriptions.
func (s *Server) listSubscriptions(c *gin.Context) {
	list, err := s.deps.Subscriptions.Subscriptions(c.Request.Context(), currentUser(c).Username)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]subscriptionJSON, 0, len(list))
	for i := range list {
		out = append(out, toSubscriptionJSON(&list[i]))
	}
	c.JSON(http.StatusOK, out)
}

// cancelSubscription is DELETE /api/v1/subscriptions/:id.
func (s *Server) cancelSubscription(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.fail(c, app.Errorf(app.ENOTFOUND, "no subscription %q", c.Param("id")))
		return
	}
	sub, err := s.deps.Subscriptions.Cancel(c.Request.Context(), currentUser(c).Username, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toSubscriptionJSON(sub))
}

package web

import (
	"context"
	"hash/fnv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/flattrs"
)

// StatusThings finds the things the Mastodon API shows as statuses
// (implemented by app/things.Service): a status id is a thing's id.
type StatusThings interface {
	ByID(ctx context.Context, id int64) (*app.Thing, error)
	Resolve(ctx context.Context, rawURL string) (*app.Thing, error)
}

// Favourites are the flattr use cases behind favouriting (implemented by
// app/flattrs.Service).
type Favourites interface {
	Flattr(ctx context.Context, username string, r flattrs.Request) (*app.Flattr, *app.Activity, error)
	Undo(ctx context.Context, username string, id int64) (*app.Flattr, error)
	Current(ctx context.Context, username, thingURI string) (*app.Flattr, error)
	List(ctx context.Context, username, month string) ([]flattrs.Listed, error)
}

// statusRoutes adds statuses, favourites and search when
// Deps.StatusThings and Deps.Favourites are set.
func (s *Server) statusRoutes(v1, v2 *gin.RouterGroup) {
	if s.deps.StatusThings == nil || s.deps.Favourites == nil {
		return
	}
	v1.GET("/statuses/:id", s.requireScope("read:statuses"), s.getStatus)
	v1.GET("/statuses/:id/context", s.requireScope("read:statuses"), s.statusContext)
	v1.POST("/statuses/:id/favourite", s.requireScope("write:favourites"), s.favourite)
	v1.POST("/statuses/:id/unfavourite", s.requireScope("write:favourites"), s.unfavourite)
	v1.GET("/favourites", s.requireScope("read:favourites"), s.listFavourites)
	v2.GET("/search", s.requireScope("read:search"), s.search)
}

// statusJSON is Mastodon's Status entity; Plaudit adds its flattr weight.
type statusJSON struct {
	ID                 string      `json:"id"`
	URI                string      `json:"uri"`
	URL                string      `json:"url"`
	CreatedAt          string      `json:"created_at"`
	EditedAt           *string     `json:"edited_at"`
	Account            accountJSON `json:"account"`
	Content            string      `json:"content"`
	Text               *string     `json:"text"`
	Visibility         string      `json:"visibility"`
	Sensitive          bool        `json:"sensitive"`
	SpoilerText        string      `json:"spoiler_text"`
	MediaAttachments   []any       `json:"media_attachments"`
	Application        any         `json:"application"`
	Mentions           []any       `json:"mentions"`
	Tags               []any       `json:"tags"`
	Emojis             []any       `json:"emojis"`
	ReblogsCount       int         `json:"reblogs_count"`
	FavouritesCount    int         `json:"favourites_count"`
	RepliesCount       int         `json:"replies_count"`
	InReplyToID        *string     `json:"in_reply_to_id"`
	InReplyToAccountID *string     `json:"in_reply_to_account_id"`
	Reblog             any         `json:"reblog"`
	Poll               any         `json:"poll"`
	Card               any         `json:"card"`
	Language           *string     `json:"language"`
	Favourited         bool        `json:"favourited"`
	Reblogged          bool        `json:"reblogged"`
	Muted              bool        `json:"muted"`
	Bookmarked         bool        `json:"bookmarked"`
	Pinned             bool        `json:"pinned"`
	Filtered           []any       `json:"filtered"`
	// PlauditWeight is the signed-in user's flattr weight this month, 0
	// when they have not flattred it.
	PlauditWeight int `json:"plaudit_weight"`
	// ownerURI is the thing's owner, whose account the status shows.
	ownerURI string
}

// toStatus shows thing t as a status, favourited when f (the user's live
// flattr of it this month) is not nil.
func (s *Server) toStatus(t *app.Thing, f *app.Flattr) statusJSON {
	content := t.Title
	if t.Summary != "" {
		if content != "" {
			content += "\n\n"
		}
		content += t.Summary
	}
	if content == "" {
		content = t.URL
	}
	page := t.URL
	if page == "" {
		page = t.URI
	}
	st := statusJSON{
		ID: strconv.FormatInt(t.ID, 10), URI: t.URI, URL: page, CreatedAt: formatTime(t.CreatedAt),
		Account: s.ownerAccount(t), Content: htmlParagraph(content), Visibility: "public",
		MediaAttachments: []any{}, Mentions: []any{}, Tags: []any{}, Emojis: []any{}, Filtered: []any{},
		ownerURI: t.OwnerURI,
	}
	if f != nil {
		st.Favourited, st.FavouritesCount, st.PlauditWeight = true, 1, f.Weight
	}
	return st
}

// ownerAccount is the account of a thing's owner as well as Plaudit
// knows it from its URI: its id is a number derived from the URI (Plaudit
// keeps no account rows for remote actors).
func (s *Server) ownerAccount(t *app.Thing) accountJSON {
	owner := t.OwnerURI
	if owner == "" {
		owner = "https://" + t.Host + "/"
	}
	u, _ := url.Parse(owner)
	name := "unknown"
	host := t.Host
	if u != nil {
		if seg := strings.Trim(u.Path, "/"); seg != "" {
			name = strings.TrimPrefix(seg[strings.LastIndexByte(seg, '/')+1:], "@")
		}
		host = u.Host
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(owner))
	acct := name + "@" + host
	if t.Local {
		acct = name
	}
	return accountJSON{
		ID: strconv.FormatUint(h.Sum64()>>2, 10), Username: name, Acct: acct, URL: owner, URI: owner, DisplayName: name,
		Fields: []any{}, Emojis: []any{}, Roles: []any{}, CreatedAt: formatTime(t.CreatedAt.UTC().Truncate(24 * time.Hour)),
		Avatar: s.deps.BaseURL + "/static/avatar.png", AvatarStatic: s.deps.BaseURL + "/static/avatar.png",
		Header: s.deps.BaseURL + "/static/header.png", HeaderStatic: s.deps.BaseURL + "/static/header.png",
	}
}

// statusThing loads the thing named by the :id of the path.
func (s *Server) statusThing(c *gin.Context) (*app.Thing, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, app.Errorf(app.ENOTFOUND, "Record not found"))
		return nil, false
	}
	t, err := s.deps.StatusThings.ByID(c.Request.Context(), id)
	if app.ErrorCode(err) == app.ENOTFOUND || (err == nil && t.DeletedAt != nil) {
		s.fail(c, app.Errorf(app.ENOTFOUND, "Record not found"))
		return nil, false
	}
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return t, true
}

// currentFlattr is the user's live flattr of t this month, or nil.
func (s *Server) currentFlattr(c *gin.Context, t *app.Thing) (*app.Flattr, error) {
	f, err := s.deps.Favourites.Current(c.Request.Context(), currentUser(c).Username, t.URI)
	if app.ErrorCode(err) == app.ENOTFOUND {
		return nil, nil
	}
	return f, err
}

// getStatus is GET /api/v1/statuses/:id.
func (s *Server) getStatus(c *gin.Context) {
	t, ok := s.statusThing(c)
	if !ok {
		return
	}
	f, err := s.currentFlattr(c, t)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.withOwners(c, s.toStatus(t, f))[0])
}

// statusContext is GET /api/v1/statuses/:id/context: Plaudit keeps no
// threads.
func (s *Server) statusContext(c *gin.Context) {
	if _, ok := s.statusThing(c); !ok {
		return
	}
	c.JSON(http.StatusOK, gin.H{"ancestors": []any{}, "descendants": []any{}})
}

// favourite is POST /api/v1/statuses/:id/favourite: flattr the thing
// this month with the default weight. Favouriting a thing flattred this
// month already keeps its weight.
func (s *Server) favourite(c *gin.Context) {
	t, ok := s.statusThing(c)
	if !ok {
		return
	}
	f, err := s.currentFlattr(c, t)
	if err == nil && f == nil {
		weight := 0 // the default
		if s.deps.Mastodon != nil {
			weight, err = s.deps.Mastodon.DefaultWeight(c.Request.Context(), currentUser(c).Username)
		}
		if err == nil {
			f, _, err = s.deps.Favourites.Flattr(c.Request.Context(), currentUser(c).Username, flattrs.Request{URL: t.URI, Weight: weight})
		}
	}
	if err != nil {
		s.failMastodon(c, err)
		return
	}
	c.JSON(http.StatusOK, s.withOwners(c, s.toStatus(t, f))[0])
}

// unfavourite is POST /api/v1/statuses/:id/unfavourite: undo this month's
// flattr of the thing, if any.
func (s *Server) unfavourite(c *gin.Context) {
	t, ok := s.statusThing(c)
	if !ok {
		return
	}
	f, err := s.currentFlattr(c, t)
	if err == nil && f != nil {
		_, err = s.deps.Favourites.Undo(c.Request.Context(), currentUser(c).Username, f.ID)
	}
	if err != nil {
		s.failMastodon(c, err)
		return
	}
	c.JSON(http.StatusOK, s.withOwners(c, s.toStatus(t, nil))[0])
}

// listFavourites is GET /api/v1/favourites: the things the user flattred
// this month and still does, newest first. There is one page: a month
// holds few enough flattrs.
func (s *Server) listFavourites(c *gin.Context) {
	list, err := s.deps.Favourites.List(c.Request.Context(), currentUser(c).Username, "")
	if err != nil {
		s.fail(c, err)
		return
	}
	out := []statusJSON{}
	for i := len(list) - 1; i >= 0; i-- {
		if l := list[i]; l.Live() && l.Thing != nil && l.Thing.DeletedAt == nil {
			out = append(out, s.toStatus(l.Thing, &l.Flattr))
		}
	}
	c.JSON(http.StatusOK, s.withOwners(c, out...))
}

// search is GET /api/v2/search: a post's URL (with resolve=true for one
// Plaudit has not seen) becomes a status. Accounts and hashtags are not
// searched yet.
func (s *Server) search(c *gin.Context) {
	out := gin.H{"accounts": []any{}, "statuses": []statusJSON{}, "hashtags": []any{}}
	q := strings.TrimSpace(c.Query("q"))
	typ := c.Query("type")
	if s.deps.Mastodon != nil && looksLikeHandle(q) && (typ == "" || typ == "accounts") {
		s.searchAccount(c, q, out)
		return
	}
	if !strings.HasPrefix(q, "https://") && !strings.HasPrefix(q, "http://") || (typ != "" && typ != "statuses") {
		c.JSON(http.StatusOK, out)
		return
	}
	if len(q) > maxThingURL {
		s.failMastodon(c, app.Errorf(app.EINVALID, "q is too long"))
		return
	}
	var t *app.Thing
	var err error
	if c.Query("resolve") == "true" || c.Query("resolve") == "1" {
		t, err = s.deps.StatusThings.Resolve(c.Request.Context(), q)
	} else {
		err = app.Errorf(app.ENOTFOUND, "not known here")
	}
	switch {
	case err == nil && t.ID == 0:
		// Not stored (nothing to favourite): no status.
	case err == nil:
		f, ferr := s.currentFlattr(c, t)
		if ferr != nil {
			s.fail(c, ferr)
			return
		}
		out["statuses"] = s.withOwners(c, s.toStatus(t, f))
	case app.ErrorCode(err) == app.EINTERNAL || app.ErrorCode(err) == "":
		s.fail(c, err)
		return
	default:
		// What cannot be resolved is simply not found, as in Mastodon.
		logger(c).Info("search found nothing", "q", q, "err", err)
	}
	c.JSON(http.StatusOK, out)
}

package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/social"
)

// accountRoutes adds accounts, relationships, follows, posting and the
// profile's update.
func (s *Server) accountRoutes(v1 *gin.RouterGroup) {
	v1.GET("/accounts/relationships", s.requireScope("read:follows"), s.relationships)
	v1.GET("/accounts/lookup", s.requireScope("read:accounts"), s.lookupAccount)
	v1.GET("/accounts/:id", s.requireScope("read:accounts"), s.getAccount)
	v1.GET("/accounts/:id/statuses", s.requireScope("read:statuses"), s.accountStatuses)
	v1.POST("/accounts/:id/follow", s.requireScope("write:follows", accounts.ScopeFollow), s.followAccount)
	v1.POST("/accounts/:id/unfollow", s.requireScope("write:follows", accounts.ScopeFollow), s.unfollowAccount)
	v1.POST("/statuses", s.requireScope("write:statuses"), s.postStatus)
	if s.deps.Profiles != nil {
		v1.PATCH("/accounts/update_credentials", s.requireScope("write:accounts"), s.updateCredentials)
	}
}

// relationshipJSON is Mastodon's Relationship entity.
type relationshipJSON struct {
	ID                  string   `json:"id"`
	Following           bool     `json:"following"`
	ShowingReblogs      bool     `json:"showing_reblogs"`
	Notifying           bool     `json:"notifying"`
	Languages           []string `json:"languages"`
	FollowedBy          bool     `json:"followed_by"`
	Blocking            bool     `json:"blocking"`
	BlockedBy           bool     `json:"blocked_by"`
	Muting              bool     `json:"muting"`
	MutingNotifications bool     `json:"muting_notifications"`
	Requested           bool     `json:"requested"`
	RequestedBy         bool     `json:"requested_by"`
	DomainBlocking      bool     `json:"domain_blocking"`
	Endorsed            bool     `json:"endorsed"`
	Note                string   `json:"note"`
}

func toRelationship(id int64, r app.Relationship) relationshipJSON {
	return relationshipJSON{
		ID: strconv.FormatInt(id, 10), Following: r.Following, ShowingReblogs: r.Following, FollowedBy: r.FollowedBy,
		Requested: r.Requested, RequestedBy: r.RequestedBy, Languages: []string{},
	}
}

// accountOf loads the account named by the path's :id.
func (s *Server) accountOf(c *gin.Context) (app.ActorCard, bool) {
	card, err := s.deps.Mastodon.Account(c.Request.Context(), social.ParseID(c.Param("id")))
	if err != nil {
		s.fail(c, err)
		return card, false
	}
	return card, true
}

// getAccount is GET /api/v1/accounts/:id.
func (s *Server) getAccount(c *gin.Context) {
	if card, ok := s.accountOf(c); ok {
		c.JSON(http.StatusOK, s.cardAccount(card, accountJSON{}))
	}
}

// lookupAccount is GET /api/v1/accounts/lookup?acct=: a local user or a
// remote actor Plaudit knows, without asking its server.
func (s *Server) lookupAccount(c *gin.Context) {
	card, err := s.deps.Mastodon.Lookup(c.Request.Context(), c.Query("acct"), false)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.cardAccount(card, accountJSON{}))
}

// accountStatuses is GET /api/v1/accounts/:id/statuses, newest first,
// paged by Link header.
func (s *Server) accountStatuses(c *gin.Context) {
	card, ok := s.accountOf(c)
	if !ok {
		return
	}
	list, err := s.deps.Mastodon.AccountStatuses(c.Request.Context(), currentUser(c).Username, card, mastodonPage(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.entryStatuses(c, list)
}

// entryStatuses answers list as statuses, with the Link header.
func (s *Server) entryStatuses(c *gin.Context, list []app.TimelineEntry) {
	owners := make([]string, len(list))
	for i := range list {
		owners[i] = list[i].Thing.OwnerURI
	}
	cards, ok := s.cards(c, owners)
	if !ok {
		return
	}
	mine, ok := s.myFlattrs(c)
	if !ok {
		return
	}
	out := make([]statusJSON, len(list))
	for i := range list {
		out[i] = s.entryStatus(&list[i], mine[list[i].Thing.URI], cards)
	}
	if len(list) > 0 {
		s.setLinkHeader(c, list[0].Thing.ID, list[len(list)-1].Thing.ID, len(list))
	}
	c.JSON(http.StatusOK, out)
}

// relationships is GET /api/v1/accounts/relationships?id[]=…: unknown
// ids are left out, as Mastodon does.
func (s *Server) relationships(c *gin.Context) {
	ids := append(c.QueryArray("id[]"), c.QueryArray("id")...)
	if len(ids) > 40 {
		ids = ids[:40]
	}
	out := []relationshipJSON{}
	for _, raw := range ids {
		id := social.ParseID(raw)
		card, err := s.deps.Mastodon.Account(c.Request.Context(), id)
		if app.ErrorCode(err) == app.ENOTFOUND {
			continue
		}
		if err != nil {
			s.fail(c, err)
			return
		}
		r, err := s.deps.Mastodon.Relationship(c.Request.Context(), currentUser(c).Username, card.URI)
		if err != nil {
			s.fail(c, err)
			return
		}
		out = append(out, toRelationship(id, r))
	}
	c.JSON(http.StatusOK, out)
}

// followAccount is POST /api/v1/accounts/:id/follow: a Follow is sent.
func (s *Server) followAccount(c *gin.Context) {
	card, ok := s.accountOf(c)
	if !ok {
		return
	}
	r, err := s.deps.Mastodon.Follow(c.Request.Context(), currentUser(c).Username, card.URI)
	if err != nil {
		s.failMastodon(c, err)
		return
	}
	c.JSON(http.StatusOK, toRelationship(social.AccountID(card), r))
}

// unfollowAccount is POST /api/v1/accounts/:id/unfollow: the Undo of the
// follow is sent.
func (s *Server) unfollowAccount(c *gin.Context) {
	card, ok := s.accountOf(c)
	if !ok {
		return
	}
	r, err := s.deps.Mastodon.Unfollow(c.Request.Context(), currentUser(c).Username, card.URI)
	if err != nil {
		s.failMastodon(c, err)
		return
	}
	c.JSON(http.StatusOK, toRelationship(social.AccountID(card), r))
}

// params reads a Mastodon request's parameters from a JSON, form or
// multipart body (and the query), as strings: absent names are absent.
func params(c *gin.Context) (map[string]string, error) {
	out := map[string]string{}
	if strings.Contains(c.ContentType(), "json") {
		var body map[string]any
		if err := json.NewDecoder(c.Request.Body).Decode(&body); err != nil {
			return nil, &app.Error{Code: app.EINVALID, Message: "malformed JSON body", Err: err}
		}
		for k, v := range body {
			switch v := v.(type) {
			case string:
				out[k] = v
			case bool:
				out[k] = strconv.FormatBool(v)
			case float64:
				out[k] = strconv.FormatFloat(v, 'f', -1, 64)
			case nil:
				out[k] = ""
			}
		}
		return out, nil
	}
	if strings.HasPrefix(c.ContentType(), "multipart/") {
		if err := c.Request.ParseMultipartForm(1 << 20); err != nil {
			return nil, &app.Error{Code: app.EINVALID, Message: "malformed multipart body", Err: err}
		}
	} else if err := c.Request.ParseForm(); err != nil {
		return nil, &app.Error{Code: app.EINVALID, Message: "malformed form body", Err: err}
	}
	for k, v := range c.Request.Form {
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	return out, nil
}

// truthy reads a Mastodon boolean parameter.
func truthy(v string) bool {
	switch strings.ToLower(v) {
	case "true", "1", "on", "yes":
		return true
	}
	return false
}

// postStatus is POST /api/v1/statuses: a local Note, sent to the
// user's followers; an Idempotency-Key makes a retry answer the same
// status.
func (s *Server) postStatus(c *gin.Context) {
	p, err := params(c)
	if err != nil {
		s.failMastodon(c, err)
		return
	}
	if p["media_ids[]"] != "" || p["media_ids"] != "" || p["poll[options][]"] != "" {
		s.failMastodon(c, app.Errorf(app.EINVALID, "media and polls are not supported here"))
		return
	}
	e, err := s.deps.Mastodon.PostStatus(c.Request.Context(), currentUser(c).Username, social.Status{
		Text: p["status"], SpoilerText: p["spoiler_text"], Sensitive: truthy(p["sensitive"]), Visibility: p["visibility"],
		InReplyToID: social.ParseID(p["in_reply_to_id"]), Key: c.GetHeader("Idempotency-Key"),
	})
	if err != nil {
		s.failMastodon(c, err)
		return
	}
	cards, ok := s.cards(c, []string{e.Thing.OwnerURI})
	if !ok {
		return
	}
	st := s.entryStatus(e, nil, cards)
	st.Visibility = visibilityOf(p["visibility"])
	c.JSON(http.StatusOK, st)
}

func visibilityOf(v string) string {
	if v == "" {
		return social.VisibilityPublic
	}
	return v
}

// updateCredentials is PATCH /api/v1/accounts/update_credentials
// (JSON, form or multipart): display_name, note, locked, and Plaudit's
// plaudit_default_weight; it answers the CredentialAccount.
func (s *Server) updateCredentials(c *gin.Context) {
	p, err := params(c)
	if err != nil {
		s.failMastodon(c, err)
		return
	}
	var upd accounts.ProfileUpdate
	if v, ok := p["display_name"]; ok {
		upd.DisplayName = &v
	}
	if v, ok := p["note"]; ok {
		upd.Summary = &v
	}
	if v, ok := p["locked"]; ok {
		locked := truthy(v)
		upd.ManuallyApprovesFollowers = &locked
	}
	username := currentUser(c).Username
	if v, ok := p["plaudit_default_weight"]; ok {
		w, err := strconv.Atoi(v)
		if err != nil {
			s.failMastodon(c, app.Errorf(app.EINVALID, "plaudit_default_weight must be a number from 1 to 10"))
			return
		}
		if err := s.deps.Mastodon.SetDefaultWeight(c.Request.Context(), username, w); err != nil {
			s.failMastodon(c, err)
			return
		}
	}
	u, err := s.deps.Profiles.UpdateProfile(c.Request.Context(), username, upd)
	if err != nil {
		s.failMastodon(c, err)
		return
	}
	c.Set(ctxUser, u)
	s.verifyCredentials(c)
}

// looksLikeHandle tells whether q is "user@host" or "@user@host".
func looksLikeHandle(q string) bool {
	user, host, ok := strings.Cut(strings.TrimPrefix(q, "@"), "@")
	return ok && user != "" && host != "" && !strings.ContainsAny(user, " /:?#") && !strings.ContainsAny(host, " /?#@")
}

// searchAccount answers v2 search for a handle: the account, found
// through WebFinger when resolve is true and Plaudit does not know it.
func (s *Server) searchAccount(c *gin.Context, q string, out gin.H) {
	resolve := c.Query("resolve") == "true" || c.Query("resolve") == "1"
	card, err := s.deps.Mastodon.Lookup(c.Request.Context(), q, resolve)
	switch code := app.ErrorCode(err); {
	case err == nil:
		out["accounts"] = []accountJSON{s.cardAccount(card, accountJSON{})}
	case code == app.EINTERNAL || code == "":
		s.fail(c, err)
		return
	default:
		logger(c).Info("search found no account", "q", q, "err", err)
	}
	c.JSON(http.StatusOK, out)
}

package web

import (
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
)

// MastodonVersion is the Mastodon API version Plaudit's client API
// follows; apps read it from the instance entity's version.
const MastodonVersion = "4.3.0"

// mastodonAPIVersion is the instance entity's api_versions.mastodon.
const mastodonAPIVersion = 2

// mastodonRoutes adds the Mastodon client API that apps call once signed
// in, when Deps.OAuthApps is set: the instance, the signed-in account,
// preferences, statuses and favourites (flattrs), search, and empty
// answers for what Plaudit has no use for.
func (s *Server) mastodonRoutes(e *gin.Engine, v1 *gin.RouterGroup) {
	if s.deps.OAuthApps == nil {
		return
	}
	v2 := e.Group("/api/v2", s.bearerUser)
	v1.GET("/instance", s.instanceV1)
	v2.GET("/instance", s.instanceV2)
	v1.GET("/accounts/verify_credentials", s.requireScope("read:accounts", accounts.ScopeProfile), s.verifyCredentials)
	v1.GET("/preferences", s.requireScope("read:accounts"), s.preferences)
	s.statusRoutes(v1, v2)
	s.emptyRoutes(v1, v2, s.socialRoutes(v1))
}

// emptyRoutes answer what apps ask at start-up with an empty, valid
// result: Plaudit has no filters, lists, markers, emojis, announcements,
// followed tags or trends.
func (s *Server) emptyRoutes(v1, v2 *gin.RouterGroup, social bool) {
	emptyList := func(c *gin.Context) { c.JSON(http.StatusOK, []any{}) }
	emptyObject := func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{}) }
	read := s.requireScope(accounts.ScopeRead)
	for _, p := range []string{"/filters", "/lists", "/announcements", "/followed_tags", "/follow_requests/suggestions", "/suggestions", "/conversations", "/bookmarks", "/blocks", "/mutes", "/domain_blocks", "/endorsements", "/featured_tags", "/scheduled_statuses"} {
		v1.GET(p, read, emptyList)
	}
	v1.GET("/markers", read, emptyObject)
	v2.GET("/filters", read, emptyList)
	v2.GET("/suggestions", read, emptyList)
	v1.GET("/custom_emojis", emptyList)
	for _, p := range []string{"/trends", "/trends/tags", "/trends/statuses", "/trends/links", "/instance/rules", "/instance/peers", "/instance/activity"} {
		v1.GET(p, emptyList)
	}
	if !social {
		v1.GET("/timelines/home", read, emptyList)
		v1.GET("/notifications", read, emptyList)
	}
	v1.GET("/timelines/public", emptyList)
	v2.GET("/notifications/policy", read, func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{
			"for_not_following": "accept", "for_not_followers": "accept", "for_new_accounts": "accept",
			"for_private_mentions": "accept", "for_limited_accounts": "accept",
			"summary": gin.H{"pending_requests_count": 0, "pending_notifications_count": 0},
		})
	})
}

// failMastodon answers err as the Mastodon API does: a refused value is
// 422 Unprocessable Entity, the rest as fail.
func (s *Server) failMastodon(c *gin.Context, err error) {
	if app.ErrorCode(err) == app.EINVALID {
		logger(c).Info("request refused", "status", http.StatusUnprocessableEntity, "err", err)
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, gin.H{"error": app.ErrorMessage(err)})
		return
	}
	s.fail(c, err)
}

// instanceVersion is the version apps parse: Mastodon's, then Plaudit's.
func (s *Server) instanceVersion() string {
	v := s.deps.Version
	if v == "" {
		v = "dev"
	}
	return MastodonVersion + " (compatible; Plaudit " + v + ")"
}

// statusLimits are the instance configuration's statuses part.
var statusLimits = gin.H{"max_characters": 500, "max_media_attachments": 0, "characters_reserved_per_url": 23}

var mediaLimits = gin.H{
	"supported_mime_types": []string{}, "image_size_limit": 0, "image_matrix_limit": 0,
	"video_size_limit": 0, "video_frame_rate_limit": 0, "video_matrix_limit": 0,
}

var pollLimits = gin.H{"max_options": 0, "max_characters_per_option": 0, "min_expiration": 0, "max_expiration": 0}

// instanceV1 is GET /api/v1/instance (Mastodon's V1::Instance entity).
func (s *Server) instanceV1(c *gin.Context) {
	signup := s.deps.Accounts.SignupMode()
	c.JSON(http.StatusOK, gin.H{
		"uri": s.deps.Domain, "title": s.deps.Domain, "short_description": instanceDescription,
		"description": instanceDescription, "email": "", "version": s.instanceVersion(),
		"urls":              gin.H{"streaming_api": ""},
		"stats":             gin.H{"user_count": 0, "status_count": 0, "domain_count": 0},
		"thumbnail":         nil,
		"languages":         []string{"en"},
		"registrations":     signup != "closed",
		"approval_required": false, "invites_enabled": signup == "invite",
		"configuration": gin.H{
			"accounts": gin.H{"max_featured_tags": 0}, "statuses": statusLimits,
			"media_attachments": mediaLimits, "polls": pollLimits,
		},
		"contact_account": nil, "rules": []any{},
	})
}

const instanceDescription = "A Plaudit server: flattr what you like on the fediverse. Favourite a post to flattr it."

// instanceV2 is GET /api/v2/instance (Mastodon's Instance entity).
func (s *Server) instanceV2(c *gin.Context) {
	signup := s.deps.Accounts.SignupMode()
	c.JSON(http.StatusOK, gin.H{
		"domain": s.deps.Domain, "title": s.deps.Domain, "version": s.instanceVersion(),
		"source_url": "https://github.com/plaudit/plaudit", "description": instanceDescription,
		"usage":     gin.H{"users": gin.H{"active_month": 0}},
		"thumbnail": gin.H{"url": s.deps.BaseURL + "/static/icon.png"},
		"icon":      []any{}, "languages": []string{"en"},
		"configuration": gin.H{
			"urls": gin.H{"streaming": nil, "status": nil}, "vapid": gin.H{"public_key": ""},
			"accounts": gin.H{"max_featured_tags": 0, "max_pinned_statuses": 0},
			"statuses": statusLimits, "media_attachments": mediaLimits, "polls": pollLimits,
			"translation": gin.H{"enabled": false},
		},
		"registrations": gin.H{"enabled": signup != "closed", "approval_required": false, "message": nil, "url": nil},
		"api_versions":  gin.H{"mastodon": mastodonAPIVersion},
		"contact":       gin.H{"email": "", "account": nil},
		"rules":         []any{},
	})
}

// accountJSON is Mastodon's Account entity.
type accountJSON struct {
	ID             string   `json:"id"`
	Username       string   `json:"username"`
	Acct           string   `json:"acct"`
	URL            string   `json:"url"`
	URI            string   `json:"uri"`
	DisplayName    string   `json:"display_name"`
	Note           string   `json:"note"`
	Avatar         string   `json:"avatar"`
	AvatarStatic   string   `json:"avatar_static"`
	Header         string   `json:"header"`
	HeaderStatic   string   `json:"header_static"`
	Locked         bool     `json:"locked"`
	Fields         []any    `json:"fields"`
	Emojis         []any    `json:"emojis"`
	Bot            bool     `json:"bot"`
	Group          bool     `json:"group"`
	Discoverable   *bool    `json:"discoverable"`
	Noindex        bool     `json:"noindex"`
	Moved          any      `json:"moved"`
	Suspended      bool     `json:"suspended"`
	Limited        bool     `json:"limited"`
	CreatedAt      string   `json:"created_at"`
	LastStatusAt   *string  `json:"last_status_at"`
	StatusesCount  int      `json:"statuses_count"`
	FollowersCount int      `json:"followers_count"`
	FollowingCount int      `json:"following_count"`
	Roles          []any    `json:"roles"`
	Source         *sourceJ `json:"source,omitempty"`
	Role           any      `json:"role,omitempty"`
	// PlauditDefaultWeight is, on the CredentialAccount, the weight a
	// favourite flattrs with.
	PlauditDefaultWeight int `json:"plaudit_default_weight,omitempty"`
}

// sourceJ is the CredentialAccount's source.
type sourceJ struct {
	Privacy             string `json:"privacy"`
	Sensitive           bool   `json:"sensitive"`
	Language            string `json:"language"`
	Note                string `json:"note"`
	Fields              []any  `json:"fields"`
	FollowRequestsCount int    `json:"follow_requests_count"`
	HideCollections     bool   `json:"hide_collections"`
	Discoverable        bool   `json:"discoverable"`
	Indexable           bool   `json:"indexable"`
	// PlauditDefaultWeight is the weight a favourite flattrs with, which
	// update_credentials sets.
	PlauditDefaultWeight int `json:"plaudit_default_weight,omitempty"`
}

// localAccount is a local user as the Mastodon API shows them.
func (s *Server) localAccount(u *app.User) accountJSON {
	avatar := u.IconURL
	if avatar == "" {
		avatar = s.deps.BaseURL + "/static/avatar.png"
	}
	disc := u.Discoverable
	page := s.deps.BaseURL + "/@" + u.Username
	return accountJSON{
		ID: strconv.FormatInt(u.ID, 10), Username: u.Username, Acct: u.Username, URL: page,
		URI: s.deps.BaseURL + "/users/" + u.Username, DisplayName: u.DisplayName, Note: htmlParagraph(u.Summary),
		Avatar: avatar, AvatarStatic: avatar, Header: s.deps.BaseURL + "/static/header.png", HeaderStatic: s.deps.BaseURL + "/static/header.png",
		Locked: u.ManuallyApprovesFollowers, Fields: []any{}, Emojis: []any{}, Discoverable: &disc,
		CreatedAt: formatTime(u.CreatedAt.UTC().Truncate(24 * time.Hour)), Roles: []any{},
	}
}

// verifyCredentials is GET /api/v1/accounts/verify_credentials: the
// signed-in user as a CredentialAccount.
func (s *Server) verifyCredentials(c *gin.Context) {
	u := currentUser(c)
	a := s.localAccount(u)
	a.Source = &sourceJ{Privacy: "public", Note: u.Summary, Fields: []any{}, Discoverable: u.Discoverable}
	role := gin.H{"id": "-99", "name": "", "permissions": "0", "color": "", "highlighted": false}
	if u.Admin {
		role = gin.H{"id": "3", "name": "Admin", "permissions": "1", "color": "", "highlighted": true}
	}
	a.Role = role
	if s.deps.Mastodon != nil {
		w, err := s.deps.Mastodon.DefaultWeight(c.Request.Context(), u.Username)
		if err != nil {
			s.fail(c, err)
			return
		}
		a.PlauditDefaultWeight, a.Source.PlauditDefaultWeight = w, w
	}
	c.JSON(http.StatusOK, a)
}

// preferences is GET /api/v1/preferences.
func (s *Server) preferences(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{
		"posting:default:visibility": "public", "posting:default:sensitive": false, "posting:default:language": nil,
		"reading:expand:media": "default", "reading:expand:spoilers": false,
	})
}

// htmlParagraph is text as an escaped HTML paragraph, or "" for none.
func htmlParagraph(text string) string {
	text = strings.TrimSpace(text)
	if text == "" {
		return ""
	}
	return "<p>" + html.EscapeString(text) + "</p>"
}

package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

// blankShareRows are the empty co-creator rows the shares form offers.
const blankShareRows = 3

// creatorSetupRoutes adds /dashboard/creator/setup: co-creator shares
// (with Deps.CoCreators), connected blogs and their feed status (with
// Deps.Blogs) and the flattr button's snippet with a live preview.
func (s *Server) creatorSetupRoutes(forms *gin.RouterGroup) {
	if s.deps.Things == nil && s.deps.CoCreators == nil && s.deps.Blogs == nil {
		return
	}
	d := forms.Group("dashboard/creator/setup", s.signedIn)
	d.GET("", s.creatorSetup)
	if s.deps.CoCreators != nil {
		d.POST("/shares", s.postShares)
	}
	if s.deps.Blogs != nil {
		d.POST("/blogs", s.postBlog)
		d.POST("/blogs/:id/delete", s.postBlogDelete)
	}
}

// shareRow is a row of the co-creator shares form.
type shareRow struct {
	N                 int
	Actor, Share, Err string
}

// blogRow is a connected blog and its feed's status.
type blogRow struct {
	app.Blog
	Fetched, NextPoll, LastItem string
}

func (s *Server) creatorSetup(c *gin.Context) {
	flash := map[string]string{"shares": "Shares saved.", "blog": "Blog connected.", "blog-deleted": "Blog disconnected."}[c.Query("done")]
	s.renderSetup(c, http.StatusOK, gin.H{"Flash": flash})
}

// renderSetup shows the setup page with data (a refused form's errors
// and values).
func (s *Server) renderSetup(c *gin.Context, status int, data gin.H) {
	ctx, u := c.Request.Context(), currentUser(c)
	me := s.deps.BaseURL + "/users/" + u.Username
	loc := s.userLocation(c)
	data["Title"] = "Creator setup"
	if s.deps.CoCreators != nil {
		data["HasShares"] = true
		if _, typed := data["Shares"]; !typed {
			rs, err := s.deps.CoCreators.Recipients(ctx, me)
			// The use case reads an actor without a split as an unknown
			// thing: no co-creators.
			if app.ErrorCode(err) == app.ENOTFOUND {
				rs, err = nil, nil
			}
			if err != nil {
				s.fail(c, err)
				return
			}
			rows := make([]shareRow, 0, len(rs)+blankShareRows)
			for _, r := range rs {
				rows = append(rows, shareRow{N: len(rows) + 1, Actor: r.RecipientURI, Share: strconv.Itoa(r.Share)})
			}
			for range blankShareRows {
				rows = append(rows, shareRow{N: len(rows) + 1})
			}
			data["Shares"] = rows
		}
	}
	if s.deps.Blogs != nil {
		list, err := s.deps.Blogs.List(ctx, u.Username)
		if err != nil {
			s.fail(c, err)
			return
		}
		rows := make([]blogRow, 0, len(list))
		for _, b := range list {
			r := blogRow{Blog: b, Fetched: inZone(b.LastFetchAt, loc), LastItem: inZone(b.LastItemAt, loc)}
			if b.Kind == app.BlogFeed {
				r.NextPoll = inZone(&b.NextPollAt, loc)
			}
			rows = append(rows, r)
		}
		data["Blogs"], data["HasBlogs"] = rows, true
	}
	if s.deps.Things != nil {
		page := c.Query("page")
		if page == "" {
			page = s.deps.BaseURL + "/@" + u.Username
		}
		data["Page"], data["ButtonURL"], data["FlattrURL"] = page, s.buttonURL(page), s.deps.BaseURL+flattrPath(page)
		data["ScriptSnippet"], data["IframeSnippet"] = s.scriptSnippet(page), s.iframeSnippet(page)
		data["Width"], data["Height"], data["Base"] = buttonWidth, buttonHeight, s.deps.BaseURL
		data["Scripts"] = []string{"/static/button-preview.js"}
	}
	c.Status(status)
	s.render(c, "creator_setup.html", data)
}

// inZone formats t in loc, "" for none.
func inZone(t *time.Time, loc *time.Location) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// postShares is POST /dashboard/creator/setup/shares (actor_N, share_N):
// replace the co-creators who share the money of all the user's things.
// Empty rows are left out; none at all removes the split.
func (s *Server) postShares(c *gin.Context) {
	var rows []shareRow
	var rs []app.Recipient
	bad := false
	for n := 1; n <= 100; n++ {
		actor, share := c.PostForm("actor_"+strconv.Itoa(n)), c.PostForm("share_"+strconv.Itoa(n))
		if _, ok := c.GetPostForm("actor_" + strconv.Itoa(n)); !ok {
			break
		}
		row := shareRow{N: n, Actor: strings.TrimSpace(actor), Share: strings.TrimSpace(share)}
		if row.Actor != "" || row.Share != "" {
			v, err := strconv.Atoi(row.Share)
			switch {
			case row.Actor == "":
				row.Err, bad = "name the co-creator's actor id, like https://mastodon.example/users/ann", true
			case err != nil:
				row.Err, bad = "the share is a whole number, like 30", true
			default:
				rs = append(rs, app.Recipient{RecipientURI: row.Actor, Share: v})
			}
		}
		rows = append(rows, row)
	}
	if bad {
		s.renderSetup(c, http.StatusBadRequest, gin.H{"Shares": rows})
		return
	}
	owner := s.deps.BaseURL + "/users/" + currentUser(c).Username
	if err := s.deps.CoCreators.SetRecipients(c.Request.Context(), owner, "", rs); err != nil {
		if ErrorStatus(err) >= 500 {
			s.fail(c, err)
			return
		}
		s.renderSetup(c, ErrorStatus(err), gin.H{"Shares": rows, "SharesErr": app.ErrorMessage(err)})
		return
	}
	c.Redirect(http.StatusSeeOther, "/dashboard/creator/setup?done=shares#shares")
}

// postBlog is POST /dashboard/creator/setup/blogs (url): connect a blog.
func (s *Server) postBlog(c *gin.Context) {
	typed := strings.TrimSpace(c.PostForm("url"))
	if _, err := s.deps.Blogs.Connect(c.Request.Context(), currentUser(c).Username, typed); err != nil {
		if ErrorStatus(err) >= 500 && app.ErrorCode(err) != app.EUNAVAILABLE {
			s.fail(c, err)
			return
		}
		s.renderSetup(c, ErrorStatus(err), gin.H{"BlogURL": typed, "BlogErr": app.ErrorMessage(err)})
		return
	}
	c.Redirect(http.StatusSeeOther, "/dashboard/creator/setup?done=blog#blogs")
}

// postBlogDelete is POST /dashboard/creator/setup/blogs/:id/delete.
func (s *Server) postBlogDelete(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, app.Errorf(app.ENOTFOUND, "no blog %q", c.Param("id")))
		return
	}
	if err := s.deps.Blogs.Delete(c.Request.Context(), currentUser(c).Username, id); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/dashboard/creator/setup?done=blog-deleted#blogs")
}

// userLocation is the signed-in user's time zone (UTC without settings).
func (s *Server) userLocation(c *gin.Context) *time.Location {
	u := currentUser(c)
	if u == nil || s.deps.Settings == nil {
		return time.UTC
	}
	us, err := s.deps.Settings.Get(c.Request.Context(), u.Username)
	if err != nil {
		logger(c).Warn("read settings for the time zone", "err", err)
		return time.UTC
	}
	return us.Location()
}

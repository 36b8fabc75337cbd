package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

// Blogs are a creator's connected blogs (implemented by *blogs.Service).
type Blogs interface {
	Connect(ctx context.Context, username, rawURL string) (*app.Blog, error)
	List(ctx context.Context, username string) ([]app.Blog, error)
	Delete(ctx context.Context, username string, id int64) error
}

// blogRoutes adds /api/v1/blogs when Deps.Blogs is set.
func (s *Server) blogRoutes(api *gin.RouterGroup) {
	if s.deps.Blogs == nil {
		return
	}
	api.GET("/blogs", s.requireScope("read:accounts"), s.listBlogs)
	api.POST("/blogs", s.requireScope("write:accounts"), s.connectBlog)
	api.DELETE("/blogs/:id", s.requireScope("write:accounts"), s.deleteBlog)
}

type paymentLinkJSON struct {
	Kind string `json:"kind"`
	Href string `json:"href,omitempty"`
	Name string `json:"name,omitempty"`
}

type blogJSON struct {
	ID           int64             `json:"id"`
	Kind         string            `json:"kind"`
	URL          string            `json:"url"`
	Actor        string            `json:"actor,omitempty"`
	Feed         string            `json:"feed,omitempty"`
	Title        string            `json:"title"`
	LastFetchAt  *string           `json:"last_fetch_at"`
	LastError    string            `json:"last_error"`
	LastItemAt   *string           `json:"last_item_at"`
	Items        int64             `json:"items"`
	NextPollAt   *string           `json:"next_poll_at"`
	PaymentLinks []paymentLinkJSON `json:"payment_links"`
	CreatedAt    string            `json:"created_at"`
}

func toBlogJSON(b *app.Blog) blogJSON {
	out := blogJSON{
		ID: b.ID, Kind: b.Kind, URL: b.URL, Actor: b.ActorURI, Feed: b.FeedURL, Title: b.Title,
		LastFetchAt: timePtr(b.LastFetchAt), LastError: b.LastError, LastItemAt: timePtr(b.LastItemAt), Items: b.Items,
		PaymentLinks: []paymentLinkJSON{}, CreatedAt: b.CreatedAt.UTC().Format(timeFormat),
	}
	if b.Kind == app.BlogFeed {
		out.NextPollAt = timePtr(&b.NextPollAt)
	}
	for _, l := range b.PaymentLinks {
		out.PaymentLinks = append(out.PaymentLinks, paymentLinkJSON{Kind: l.Kind, Href: l.Href, Name: l.Name})
	}
	return out
}

func (s *Server) connectBlog(c *gin.Context) {
	u, ok := s.bindURL(c)
	if !ok {
		return
	}
	b, err := s.deps.Blogs.Connect(c.Request.Context(), currentUser(c).Username, u)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/blogs/"+strconv.FormatInt(b.ID, 10))
	c.JSON(http.StatusCreated, toBlogJSON(b))
}

func (s *Server) listBlogs(c *gin.Context) {
	list, err := s.deps.Blogs.List(c.Request.Context(), currentUser(c).Username)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]blogJSON, 0, len(list))
	for i := range list {
		out = append(out, toBlogJSON(&list[i]))
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) deleteBlog(c *gin.Context) {
	id, ok := s.idParam(c, "blog")
	if !ok {
		return
	}
	if err := s.deps.Blogs.Delete(c.Request.Context(), currentUser(c).Username, id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

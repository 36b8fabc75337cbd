package web

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

// mastodonPage reads max_id, since_id, min_id and limit as Mastodon
// does: what is not a number is left out.
func mastodonPage(c *gin.Context) app.Page {
	num := func(name string) int64 {
		n, err := strconv.ParseInt(c.Query(name), 10, 64)
		if err != nil || n < 0 {
			return 0
		}
		return n
	}
	return app.Page{MaxID: num("max_id"), SinceID: num("since_id"), MinID: num("min_id"), Limit: int(min(num("limit"), 1000))}
}

// setLinkHeader writes Mastodon's Link header for a page whose entries
// run from newest to oldest id: next pages back from the oldest, prev
// forward from the newest. No entries, no header.
func (s *Server) setLinkHeader(c *gin.Context, newest, oldest int64, n int) {
	if n == 0 {
		return
	}
	link := func(key string, id int64) string {
		q := url.Values{}
		for k, v := range c.Request.URL.Query() {
			if k != "max_id" && k != "since_id" && k != "min_id" {
				q[k] = v
			}
		}
		q.Set(key, strconv.FormatInt(id, 10))
		return "<" + s.deps.BaseURL + c.Request.URL.Path + "?" + q.Encode() + ">"
	}
	c.Header("Link", strings.Join([]string{
		link("max_id", oldest) + `; rel="next"`,
		link("min_id", newest) + `; rel="prev"`,
	}, ", "))
}

// Package sanitize makes HTML from other servers safe to show on
// Plaudit's pages. Remote actors' summaries and remote objects' content
// are stored as they came (so that nothing is lost and a better policy can
// be applied later); they are cleaned here, on display.
package sanitize

import (
	"html/template"
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// policy keeps what fediverse posts use: paragraphs and line breaks,
// links, spans (mentions, hashtags), emphasis, lists, quotes and code. No
// images, media, forms, tables, styles, scripts or event handlers. Links
// keep only absolute http(s) URLs and open in a new tab with
// rel="nofollow noopener" (no opener access, no search-rank gift).
var policy = newPolicy()

// mastodonClasses are the microformat and display classes Mastodon puts
// on mentions and long links; any other class is dropped, so remote HTML
// cannot borrow this site's own styles.
var mastodonClasses = regexp.MustCompile(`^(?:(?:h-card|u-url|mention|hashtag|invisible|ellipsis)(?:\s+|$))+$`)

func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "span", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https")
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowAttrs("class").Matching(mastodonClasses).OnElements("a", "span")
	return p
}

// HTML returns remote, cleaned to the elements and attributes fediverse
// posts use; everything else is dropped (the text inside kept, except
// inside script and style). Unclosed elements are closed first, so that
// remote markup cannot spill over the rest of the page.
func HTML(remote string) template.HTML {
	if out, ok := cleaned.get(remote); ok {
		return out
	}
	// The policy's output is safe to put into a page as it is.
	out := template.HTML(policy.Sanitize(balance(remote))) //nolint:gosec // sanitised just now
	cleaned.put(remote, out)
	return out
}

// cleaned remembers the cleaned forms of recent inputs: a timeline or a
// page shows the same posts to many readers, and cleaning (parsing,
// balancing, the policy) costs far more than a lookup. The cleaning is a
// pure function of its input, so a remembered answer is the answer.
var cleaned = &cleanCache{limit: cacheBytes}

// cacheBytes bounds what the cache holds (inputs and outputs together);
// inputs larger than maxCached are not remembered.
const (
	cacheBytes = 8 << 20
	maxCached  = 64 << 10
)

// cleanCache is a map of input to cleaned output, emptied whenever it
// would grow past limit bytes.
type cleanCache struct {
	mu    sync.RWMutex
	m     map[string]template.HTML
	size  int
	limit int
}

func (c *cleanCache) get(in string) (template.HTML, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out, ok := c.m[in]
	return out, ok
}

func (c *cleanCache) put(in string, out template.HTML) {
	n := len(in) + len(out)
	if len(in) > maxCached {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || c.size+n > c.limit {
		c.m, c.size = map[string]template.HTML{}, 0
	}
	if _, ok := c.m[in]; !ok {
		c.m[in] = out
		c.size += n
	}
}

// balance parses s as the content of a <div>, as a browser would, and
// writes it back with every element closed.
func balance(s string) string {
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		// Reading from a string cannot fail; should it, the sanitiser
		// alone still makes the text safe.
		return s
	}
	var b strings.Builder
	for _, n := range nodes {
		if err := html.Render(&b, n); err != nil {
			return s
		}
	}
	return b.String()
}

// FuncMap holds the template function "remoteHTML", which every page
// template uses for HTML that came from another server.
func FuncMap() template.FuncMap {
	return template.FuncMap{"remoteHTML": HTML}
}

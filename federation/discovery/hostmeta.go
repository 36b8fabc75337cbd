package discovery

import (
	"encoding/xml"
	"net/http"

	"github.com/gin-gonic/gin"
)

// xrdNamespace is the XML namespace of host-meta documents (RFC 6415).
const xrdNamespace = "http://docs.oasis-open.org/ns/xri/xrd-1.0"

type xrd struct {
	XMLName xml.Name  `xml:"XRD"`
	NS      string    `xml:"xmlns,attr"`
	Links   []xrdLink `xml:"Link"`
}

type xrdLink struct {
	Rel      string `xml:"rel,attr"`
	Type     string `xml:"type,attr,omitempty"`
	Template string `xml:"template,attr"`
}

// lrddTemplate is where WebFinger lives, as a URI template.
func (h *Handlers) lrddTemplate() string {
	return h.deps.URLs.Base() + "/.well-known/webfinger?resource={uri}"
}

// hostMeta answers GET /.well-known/host-meta: the XRD that points older
// clients (and Mastodon, for hosts that delegate WebFinger) to WebFinger.
func (h *Handlers) hostMeta(c *gin.Context) {
	doc := xrd{NS: xrdNamespace, Links: []xrdLink{{Rel: "lrdd", Type: "application/jrd+json", Template: h.lrddTemplate()}}}
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		h.internalError(c, err)
		return
	}
	c.Header("Cache-Control", "max-age=86400, public")
	c.Data(http.StatusOK, "application/xrd+xml; charset=utf-8", append([]byte(xml.Header), append(out, '\n')...))
}

// hostMetaJSON answers GET /.well-known/host-meta.json, the JRD form of
// host-meta (RFC 6415 appendix A).
func (h *Handlers) hostMetaJSON(c *gin.Context) {
	c.Header("Cache-Control", "max-age=86400, public")
	h.writeJSON(c, http.StatusOK, JRDContentType, JRD{Links: []JRDLink{
		{Rel: "lrdd", Type: "application/jrd+json", Template: h.lrddTemplate()},
	}})
}

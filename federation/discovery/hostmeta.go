package discovery

import (
	"encoding/xml"
	"net/http"
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

// ServeHostMeta answers GET /.well-known/host-meta: the XRD that points older
// clients (and Mastodon, for hosts that delegate WebFinger) to WebFinger.
func (h *Handlers) ServeHostMeta(w http.ResponseWriter, r *http.Request) {
	doc := xrd{NS: xrdNamespace, Links: []xrdLink{{Rel: "lrdd", Type: "application/jrd+json", Template: h.lrddTemplate()}}}
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "max-age=86400, public")
	writeBody(w, http.StatusOK, "application/xrd+xml; charset=utf-8", append([]byte(xml.Header), append(out, '\n')...))
}

// ServeHostMetaJSON answers GET /.well-known/host-meta.json, the JRD form of
// host-meta (RFC 6415 appendix A).
func (h *Handlers) ServeHostMetaJSON(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "max-age=86400, public")
	h.writeJSON(w, r, http.StatusOK, JRDContentType, JRD{Links: []JRDLink{
		{Rel: "lrdd", Type: "application/jrd+json", Template: h.lrddTemplate()},
	}})
}

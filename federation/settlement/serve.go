package settlement

import (
	"net/http"
	"strings"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation"
)

// Documents serves this instance's statements by id, to the peer they
// were sent to, as signed: wrap ServeStatement in a handler that verifies
// the GET's signature and gives the signer to signer.
type Documents struct {
	svc    Service
	urls   federation.URLs
	signer func(r *http.Request) string
}

// NewDocuments returns Documents; signer reads the verified signer of a
// request (actors.Signer).
func NewDocuments(svc Service, urls federation.URLs, signer func(r *http.Request) string) *Documents {
	return &Documents{svc: svc, urls: urls, signer: signer}
}

// ServeStatement answers GET /statements/{month}/{host}/{version} with the
// signed statement, to a signer on the peer's server; 404 to anyone else.
func (d *Documents) ServeStatement(w http.ResponseWriter, r *http.Request) {
	uri := d.urls.Base() + r.URL.EscapedPath()
	st, err := d.svc.Statement(r.Context(), uri)
	signer := strings.ToLower(hostOf(d.signer(r)))
	switch {
	case app.ErrorCode(err) == app.ENOTFOUND || (err == nil && (st.Direction != app.StatementOut || signer != strings.ToLower(st.PeerHost))):
		http.Error(w, "no such statement", http.StatusNotFound)
		return
	case err != nil:
		http.Error(w, "could not load the statement", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", `application/activity+json; charset=utf-8`)
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(st.Document)
}

package dereference

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/transport"
)

// missing tells whether a fetch error means the document does not exist
// (any more): 404 Not Found or 410 Gone.
func missing(err error) bool {
	var se *transport.StatusError
	return errors.As(err, &se) && (se.StatusCode == http.StatusNotFound || se.StatusCode == http.StatusGone)
}

// fetchError marks a failure to fetch a remote document (network, status,
// size), as opposed to a failure of our own store.
type fetchError struct{ err error }

func (e *fetchError) Error() string { return e.err.Error() }
func (e *fetchError) Unwrap() error { return e.err }

// fetchFailed tells whether err is, or wraps, a fetchError.
func fetchFailed(err error) bool {
	var fe *fetchError
	return errors.As(err, &fe)
}

// goneError is the app.ENOTFOUND error for a document that is gone.
func goneError(what, uri string, cause error) error {
	return &app.Error{Code: app.ENOTFOUND, Message: fmt.Sprintf("%s %s is gone", what, uri), Err: cause}
}

// invalidf is an app.EINVALID error: a remote document we refuse.
func invalidf(format string, args ...any) error {
	return app.Errorf(app.EINVALID, format, args...)
}

// hostOf returns the lower-cased host (with port, if any) of an absolute
// URL, or "".
func hostOf(uri string) string {
	u, err := url.Parse(as2.NormalizeID(uri))
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Host
}

// HostOf returns the lower-cased host, with its port if it has a
// non-default one, of an absolute http(s) URL, or "" for anything else.
// It is the host actors and keys are grouped and moderated by.
func HostOf(uri string) string { return hostOf(uri) }

// SameHost tells whether two absolute URLs are on the same host (and port).
func SameHost(a, b string) bool {
	ha := hostOf(a)
	return ha != "" && ha == hostOf(b)
}

// stripFragment drops the "#…" part of a URL: the document a keyId such as
// ".../users/a#main-key" lives in.
func stripFragment(uri string) string {
	if i := strings.IndexByte(uri, '#'); i >= 0 {
		return uri[:i]
	}
	return uri
}

// checkOrigin makes sure the document fetched from requested, which ended
// at finalURL after redirects, may speak for the id it claims: the id must
// be the URL asked for, or, after a redirect, be on the host that answered.
func checkOrigin(requested, finalURL, docID string) error {
	if as2.SameID(docID, requested) {
		return nil
	}
	if finalURL != "" && !as2.SameID(finalURL, requested) && SameHost(docID, finalURL) {
		return nil
	}
	return invalidf("the document at %s claims the id %s", requested, docID)
}

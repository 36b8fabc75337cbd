package dereference

import (
	"context"
	"errors"
	"fmt"
	"net"
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

// fetchFailure is the error for a failed GET of the what ("actor",
// "object") at uri, saying what failed in a message safe for the client
// who asked for it. A 404 or 410 is app.ENOTFOUND. Anything else is a
// *fetchError, so that a stale copy may stand in, around an app.Error:
// app.EUNAVAILABLE (502 on the web) for a remote status, a timeout or a
// broken connection, app.EINVALID for a URL or address the SSRF guard
// refuses. Our own failures keep no code (internal): the instance key
// could not sign, or the caller left.
func fetchFailure(what, uri string, err error) error {
	var se *transport.StatusError
	if errors.As(err, &se) {
		switch se.StatusCode {
		case http.StatusNotFound:
			return &app.Error{Code: app.ENOTFOUND, Message: fmt.Sprintf("%s %s was not found on its server", what, uri), Err: err}
		case http.StatusGone:
			return &app.Error{Code: app.ENOTFOUND, Message: fmt.Sprintf("%s %s is gone from its server", what, uri), Err: err}
		}
	}
	cause := fmt.Errorf("fetch %s %s: %w", what, uri, err)
	code, reason := failureReason(err)
	if code == "" {
		return &fetchError{cause}
	}
	return &fetchError{&app.Error{Code: code, Message: "fetching " + uri + " failed: " + reason, Err: cause}}
}

// failureReason classifies a failed GET other than 404 and 410: its app
// code and what to tell the client; no code for our own failures.
func failureReason(err error) (code, reason string) {
	var se *transport.StatusError
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.Is(err, transport.ErrSign):
		return "", ""
	case errors.As(err, &se):
		return app.EUNAVAILABLE, fmt.Sprintf("remote answered %d", se.StatusCode)
	case errors.Is(err, transport.ErrForbiddenAddress):
		return app.EINVALID, "its host is not on a public address"
	case errors.Is(err, transport.ErrForbiddenURL):
		return app.EINVALID, "not a URL that may be fetched (https, with a host)"
	case transport.IsTimeout(err):
		return app.EUNAVAILABLE, "remote did not answer in time"
	case errors.Is(err, context.Canceled):
		return "", ""
	case errors.Is(err, transport.ErrTooLarge):
		return app.EUNAVAILABLE, "remote answered a document too large"
	case errors.Is(err, transport.ErrTooManyRedirects):
		return app.EUNAVAILABLE, "remote redirected too many times"
	case errors.As(err, &dnsErr):
		return app.EUNAVAILABLE, "its host name does not resolve"
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return app.EUNAVAILABLE, "could not connect to its server"
	}
	return app.EUNAVAILABLE, "the connection to its server failed"
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

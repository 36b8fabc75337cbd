package transport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
)

// ErrTooLarge is returned (wrapped) when a response body is longer than
// Options.MaxBodyBytes.
var ErrTooLarge = errors.New("response body too large")

// ErrTooManyRedirects is returned (wrapped) when a GET is redirected more
// than Options.MaxRedirects times.
var ErrTooManyRedirects = errors.New("too many redirects")

// ErrSign is returned (wrapped) when the client's Signer fails: a failure
// of our own keys, before anything is sent, not of the remote server.
var ErrSign = errors.New("signing the request failed")

// snippetBytes is how much of a non-2xx response body a StatusError keeps.
const snippetBytes = 512

// StatusError is returned when the remote server answers with a status
// outside 2xx (after redirects, for a GET).
type StatusError struct {
	URL        string // the URL that gave the status
	StatusCode int
	Body       string // at most the first 512 bytes of the body, for logs
}

// Error implements error.
func (e *StatusError) Error() string {
	return fmt.Sprintf("%s: unexpected status %d %s", e.URL, e.StatusCode, http.StatusText(e.StatusCode))
}

// IsPermanent reports whether retrying the request that gave err is
// pointless. As Mastodon's delivery does, a 4xx status is permanent except
// 401 (the key may be refetched), 408 and 429; 3xx and 5xx are not. A URL
// or address refused by the SSRF guard is permanent too. Network errors,
// timeouts and oversized bodies are not.
func IsPermanent(err error) bool {
	if errors.Is(err, ErrForbiddenURL) || errors.Is(err, ErrForbiddenAddress) {
		return true
	}
	var se *StatusError
	if !errors.As(err, &se) {
		return false
	}
	switch se.StatusCode {
	case http.StatusUnauthorized, http.StatusRequestTimeout, http.StatusTooManyRequests:
		return false
	}
	return se.StatusCode >= 400 && se.StatusCode < 500
}

// IsGone reports whether err is a 410 Gone: the remote object or actor was
// deleted and local copies may be removed.
func IsGone(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.StatusCode == http.StatusGone
}

// IsTimeout reports whether err is a deadline being exceeded: the client's
// Timeout, the caller's context deadline or a network timeout.
func IsTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

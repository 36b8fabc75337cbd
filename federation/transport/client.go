package transport

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultMaxBodyBytes = 1 << 20
	DefaultMaxRedirects = 5
	DefaultUserAgent    = "Plaudit"
)

// DefaultAccept is the Accept header of a Get called with an empty accept.
const DefaultAccept = `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`

// ContentTypeActivity is the Content-Type of every Post.
const ContentTypeActivity = "application/activity+json"

// RequestSigner signs outgoing requests (implemented by
// federation/httpsig.Signer). The client sets the Host and Date headers
// before calling it.
type RequestSigner interface {
	// SignGET signs a GET. With withQuery false the (request-target) is
	// computed without the query string.
	SignGET(r *http.Request, withQuery bool) error
	// SignPOST signs a POST whose body is body.
	SignPOST(r *http.Request, body []byte) error
}

// Options configure a Client. Zero fields take the Default* values.
type Options struct {
	// UserAgent names Plaudit to remote servers, e.g. "Plaudit/1.0 (+https://host)".
	UserAgent string
	// AllowHTTP permits http:// URLs besides https:// (development only).
	AllowHTTP bool
	// AllowPrivateAddresses permits loopback, private, link-local and CGNAT
	// targets (development and tests only); see AllowedTarget.
	AllowPrivateAddresses bool
	// Timeout bounds one Get or Post as a whole: every redirect, retry and
	// the body read included.
	Timeout time.Duration
	// MaxBodyBytes is the largest response body read; more is ErrTooLarge.
	MaxBodyBytes int64
	// MaxRedirects is how many redirects a Get follows; negative follows none.
	MaxRedirects int
	// Signer signs every request; nil sends them unsigned.
	Signer RequestSigner
	// Logger receives SSRF refusals (Warn) and redirects and retries
	// (Debug); nil discards them.
	Logger *slog.Logger
}

// Response is a successful (2xx) response, read in full.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	FinalURL   string // the URL that answered, after redirects
}

// Client sends federation requests through the SSRF guard. It is safe for
// concurrent use.
type Client struct {
	http         *http.Client
	transport    *http.Transport
	userAgent    string
	allowHTTP    bool
	timeout      time.Duration
	maxBody      int64
	maxRedirects int
	signer       RequestSigner
	log          *slog.Logger
}

// New returns a Client configured by opts.
func New(opts Options) *Client {
	c := &Client{
		userAgent:    opts.UserAgent,
		allowHTTP:    opts.AllowHTTP,
		timeout:      opts.Timeout,
		maxBody:      opts.MaxBodyBytes,
		maxRedirects: opts.MaxRedirects,
		signer:       opts.Signer,
		log:          opts.Logger,
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBodyBytes
	}
	if c.maxRedirects == 0 {
		c.maxRedirects = DefaultMaxRedirects
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.transport = newTransport(allowedFor(opts.AllowPrivateAddresses))
	c.http = &http.Client{
		Transport: c.transport,
		// Redirects are followed by Get itself, so that each hop is checked
		// and signed afresh; Post follows none.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c
}

// newTransport returns an HTTP transport that dials only what allow accepts.
// It sets no timeouts of its own: the context deadline Get and Post put on
// each call bounds dialing, TLS, headers and body alike, and so every
// timeout surfaces as context.DeadlineExceeded.
func newTransport(allow addrPolicy) *http.Transport {
	return &http.Transport{
		Proxy:                  nil, // a proxy would hide the real target from the guard
		DialContext:            newGuardedDialer(allow, 0).DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
}

// CloseIdleConnections closes the client's idle keep-alive connections.
func (c *Client) CloseIdleConnections() { c.transport.CloseIdleConnections() }

// setHeaders sets the headers every request carries. Host and Date go into
// the header map because HTTP signers read them from there.
func (c *Client) setHeaders(req *http.Request) {
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Host", req.Host)
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
}

// finish reads a final response: the body of a 2xx within the size limit,
// or a StatusError for anything else. It closes the body.
func (c *Client) finish(resp *http.Response) (*Response, error) {
	return c.finishWithin(resp, 0)
}

// finishWithin is finish with a body limit of limit bytes when positive.
func (c *Client) finishWithin(resp *http.Response, limit int64) (*Response, error) {
	defer resp.Body.Close()
	maxBody := c.maxBody
	if limit > 0 {
		maxBody = limit
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, snippetBytes))
		return nil, &StatusError{URL: resp.Request.URL.String(), StatusCode: resp.StatusCode, Body: string(snippet)}
	}
	if resp.ContentLength > maxBody {
		return nil, fmt.Errorf("%w: content-length %d over limit %d", ErrTooLarge, resp.ContentLength, maxBody)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > maxBody {
		return nil, fmt.Errorf("%w: over limit %d", ErrTooLarge, maxBody)
	}
	return &Response{
		StatusCode: resp.StatusCode,
		Header:     resp.Header,
		Body:       body,
		FinalURL:   resp.Request.URL.String(),
	}, nil
}

// discard drains a little of a response we do not use, so its connection
// can be reused, and closes it.
func discard(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	_ = resp.Body.Close()
}

// unwrapURLError drops net/http's *url.Error layer, which repeats the method
// and URL that the caller's own wrapping already names.
func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// HTTPClient is a plain HTTP client (no signatures) through the same SSRF
// guard and time limit, for calling other servers' client APIs (OAuth,
// the Mastodon API).
func (c *Client) HTTPClient() *http.Client {
	return &http.Client{Transport: c.transport, Timeout: c.timeout}
}

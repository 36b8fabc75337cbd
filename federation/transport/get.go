package transport

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// Get fetches rawURL with a (signed, if the client has a Signer) GET and
// returns the 2xx response read in full. accept is the Accept header;
// empty means DefaultAccept.
//
// Redirects are followed up to MaxRedirects times; every hop is checked
// like rawURL and signed for its own URL. When a signed GET of a URL with
// a query string is refused with 401, it is retried once with the
// signature computed without the query (servers disagree on whether the
// query belongs to the (request-target); GoToSocial does the same "double
// knock"). A non-2xx final answer is a *StatusError.
func (c *Client) Get(ctx context.Context, rawURL, accept string) (*Response, error) {
	return c.GetWith(ctx, rawURL, GetOptions{Accept: accept})
}

// GetOptions are the extras of a GetWith.
type GetOptions struct {
	Accept string // empty means DefaultAccept
	// Header is sent with every hop (e.g. If-None-Match). When it holds a
	// validator (If-None-Match or If-Modified-Since), a 304 answer is a
	// Response with StatusCode 304 and no body rather than an error.
	Header http.Header
	// MaxBodyBytes overrides the client's limit when positive.
	MaxBodyBytes int64
}

// GetWith is Get with headers of the caller's and a body limit of its own.
func (c *Client) GetWith(ctx context.Context, rawURL string, o GetOptions) (*Response, error) {
	if o.Accept == "" {
		o.Accept = DefaultAccept
	}
	u, err := parseURL(rawURL, c.allowHTTP)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", rawURL, err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	resp, err := c.follow(ctx, u, o)
	if err != nil {
		c.logRefusal(ctx, rawURL, err)
		return nil, fmt.Errorf("get %s: %w", rawURL, err)
	}
	return resp, nil
}

// follow GETs u and the redirects it leads to.
func (c *Client) follow(ctx context.Context, u *url.URL, o GetOptions) (*Response, error) {
	for hops := 0; ; hops++ {
		resp, err := c.knock(ctx, u, o)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusNotModified && conditional(o.Header) {
			discard(resp)
			return &Response{StatusCode: resp.StatusCode, Header: resp.Header, FinalURL: resp.Request.URL.String()}, nil
		}
		if !isRedirect(resp.StatusCode) || resp.Header.Get("Location") == "" {
			return c.finishWithin(resp, o.MaxBodyBytes)
		}
		next, err := redirectTarget(u, resp, c.allowHTTP)
		discard(resp)
		if err != nil {
			return nil, err
		}
		if hops >= c.maxRedirects {
			return nil, fmt.Errorf("%w: more than %d, next was %s", ErrTooManyRedirects, max(c.maxRedirects, 0), next)
		}
		c.log.DebugContext(ctx, "following redirect", "from", u.String(), "to", next.String(), "status", resp.StatusCode)
		u = next
	}
}

// knock sends one GET of u, and a second one signed without the query
// string if the first was refused with 401.
func (c *Client) knock(ctx context.Context, u *url.URL, o GetOptions) (*http.Response, error) {
	resp, err := c.getOnce(ctx, u, o, true)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || c.signer == nil || u.RawQuery == "" {
		return resp, err
	}
	discard(resp)
	c.log.DebugContext(ctx, "signed GET refused, retrying with query left out of the signature", "url", u.String())
	return c.getOnce(ctx, u, o, false)
}

// getOnce sends a single GET of u without following redirects.
func (c *Client) getOnce(ctx context.Context, u *url.URL, o GetOptions, withQuery bool) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("new request %s: %w", u, err)
	}
	for k, vs := range o.Header {
		req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	c.setHeaders(req)
	req.Header.Set("Accept", o.Accept)
	if c.signer != nil {
		if err := c.signer.SignGET(req, withQuery); err != nil {
			return nil, fmt.Errorf("%w: GET %s: %w", ErrSign, u, err)
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, unwrapURLError(err))
	}
	return resp, nil
}

func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// redirectTarget resolves the Location of resp against from and checks it.
func redirectTarget(from *url.URL, resp *http.Response, allowHTTP bool) (*url.URL, error) {
	loc := resp.Header.Get("Location")
	next, err := from.Parse(loc)
	if err != nil {
		return nil, fmt.Errorf("redirect from %s: %w: %w", from, ErrForbiddenURL, err)
	}
	if err := CheckURL(next, allowHTTP); err != nil {
		return nil, fmt.Errorf("redirect from %s to %q: %w", from, loc, err)
	}
	return next, nil
}

// logRefusal records SSRF-guard refusals, which may be attacks.
func (c *Client) logRefusal(ctx context.Context, rawURL string, err error) {
	if errors.Is(err, ErrForbiddenAddress) || errors.Is(err, ErrForbiddenURL) {
		c.log.WarnContext(ctx, "outgoing request refused", "url", rawURL, "err", err)
	}
}

// conditional tells whether h makes a GET conditional.
func conditional(h http.Header) bool {
	return h.Get("If-None-Match") != "" || h.Get("If-Modified-Since") != ""
}

package transport

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
)

// Post delivers body to inboxURL with a (signed, if the client has a
// Signer) POST of Content-Type application/activity+json and returns the
// 2xx response. Redirects are not followed: a 3xx is a *StatusError, as is
// any other non-2xx status.
func (c *Client) Post(ctx context.Context, inboxURL string, body []byte) (*Response, error) {
	u, err := parseURL(inboxURL, c.allowHTTP)
	if err != nil {
		return nil, fmt.Errorf("post %s: %w", inboxURL, err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("post %s: %w", inboxURL, err)
	}
	c.setHeaders(req)
	req.Header.Set("Content-Type", ContentTypeActivity)
	if c.signer != nil {
		if err := c.signer.SignPOST(req, body); err != nil {
			return nil, fmt.Errorf("post %s: %w: %w", inboxURL, ErrSign, err)
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		err = unwrapURLError(err)
		c.logRefusal(ctx, inboxURL, err)
		return nil, fmt.Errorf("post %s: %w", inboxURL, err)
	}
	out, err := c.finish(resp)
	if err != nil {
		return nil, fmt.Errorf("post %s: %w", inboxURL, err)
	}
	return out, nil
}

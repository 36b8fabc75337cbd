package resolve

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/transport"
)

// jrd is the part of a WebFinger answer we read.
type jrd struct {
	Subject string `json:"subject"`
	Links   []struct {
		Rel  string `json:"rel"`
		Type string `json:"type"`
		Href string `json:"href"`
	} `json:"links"`
}

// webFinger finds the actor of handle ("user@host") through WebFinger.
func (r *Resolver) webFinger(ctx context.Context, handle string) (string, error) {
	return WebFinger(ctx, r.Client, r.WebFingerScheme, handle)
}

// WebFinger finds the actor id of handle ("user@host" or "@user@host")
// by asking its host's WebFinger (over scheme, https when empty) for
// the rel="self" ActivityPub link.
func WebFinger(ctx context.Context, c *transport.Client, scheme, handle string) (string, error) {
	handle = strings.TrimPrefix(strings.TrimSpace(handle), "@")
	user, host, ok := strings.Cut(handle, "@")
	if !ok || user == "" || host == "" || strings.ContainsAny(host, "/?#@") {
		return "", app.Errorf(app.EINVALID, "%q is not a handle of the form @user@host", handle)
	}
	if scheme == "" {
		scheme = "https"
	}
	u := scheme + "://" + host + "/.well-known/webfinger?resource=" + url.QueryEscape("acct:"+user+"@"+host)
	resp, err := c.Get(ctx, u, "application/jrd+json, application/json")
	if err != nil {
		return "", fmt.Errorf("webfinger %s: %w", handle, err)
	}
	var doc jrd
	if err := json.Unmarshal(resp.Body, &doc); err != nil {
		return "", app.Errorf(app.EINVALID, "the WebFinger answer for %s is not JSON", handle)
	}
	for _, l := range doc.Links {
		if l.Rel == "self" && (mediaType(l.Type) == "application/activity+json" || mediaType(l.Type) == "application/ld+json") && l.Href != "" {
			return l.Href, nil
		}
	}
	return "", app.Errorf(app.ENOTFOUND, "WebFinger names no ActivityPub actor for %s", handle)
}

// Package homeapi calls a funder's home server through its Mastodon
// client API (Mastodon, GoToSocial, Akkoma, another Plaudit): registering
// Plaudit as an OAuth client, the authorization code flow with PKCE
// (golang.org/x/oauth2), reading favourites with Link-header paging, and
// revoking the token (app/autoflattr.Home).
package homeapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/autoflattr"
)

// Client calls home servers over HTTP.
type Client struct {
	// HTTP goes through the SSRF guard (transport.Client.HTTPClient).
	HTTP *http.Client
	// Name and Website describe Plaudit to the home server's users.
	Name    string
	Website string
}

const maxBody = 4 << 20

func (c *Client) do(req *http.Request, out any) (http.Header, error) {
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: %d %s", req.Method, req.URL.Redacted(), resp.StatusCode, strings.TrimSpace(string(body[:min(len(body), 200)])))
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Redacted(), err)
		}
	}
	return resp.Header, nil
}

func (c *Client) postForm(ctx context.Context, u string, form url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	_, err = c.do(req, out)
	return err
}

// RegisterApp implements app/autoflattr.Home: POST /api/v1/apps.
func (c *Client) RegisterApp(ctx context.Context, server, redirectURI string) (string, string, error) {
	var a struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	err := c.postForm(ctx, server+"/api/v1/apps", url.Values{"client_name": {c.Name}, "redirect_uris": {redirectURI},
		"scopes": {autoflattr.Scope}, "website": {c.Website}}, &a)
	if err != nil {
		return "", "", err
	}
	if a.ClientID == "" || a.ClientSecret == "" {
		return "", "", fmt.Errorf("%s registered no client id and secret", server)
	}
	return a.ClientID, a.ClientSecret, nil
}

func (c *Client) config(server, clientID, secret, redirectURI string) *oauth2.Config {
	return &oauth2.Config{ClientID: clientID, ClientSecret: secret, RedirectURL: redirectURI, Scopes: []string{autoflattr.Scope},
		Endpoint: oauth2.Endpoint{AuthURL: server + "/oauth/authorize", TokenURL: server + "/oauth/token"}}
}

// AuthorizeURL implements app/autoflattr.Home: the code flow with an S256
// challenge of verifier.
func (c *Client) AuthorizeURL(server, clientID, redirectURI, state, verifier string) string {
	return c.config(server, clientID, "", redirectURI).AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))
}

// Exchange implements app/autoflattr.Home.
func (c *Client) Exchange(ctx context.Context, server, clientID, secret, redirectURI, code, verifier string) (string, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.HTTP)
	tok, err := c.config(server, clientID, secret, redirectURI).Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}

// Favourites implements app/autoflattr.Home: GET /api/v1/favourites, or
// the page a previous answer's Link header named next.
func (c *Client) Favourites(ctx context.Context, server, token, page string) ([]autoflattr.Favourite, string, error) {
	u := server + "/api/v1/favourites?limit=40"
	if page != "" {
		p, err := url.Parse(page)
		if err != nil || p.Scheme+"://"+p.Host != server {
			return nil, "", app.Errorf(app.EINVALID, "the next page %q is not on %s", page, server)
		}
		u = page
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	var statuses []struct {
		URI string `json:"uri"`
		URL string `json:"url"`
	}
	h, err := c.do(req, &statuses)
	if err != nil {
		return nil, "", err
	}
	out := make([]autoflattr.Favourite, len(statuses))
	for i, s := range statuses {
		out[i] = autoflattr.Favourite{URI: s.URI, URL: s.URL}
	}
	return out, nextLink(h.Get("Link")), nil
}

// nextLink reads rel="next" from a Link header.
func nextLink(h string) string {
	for _, part := range strings.Split(h, ",") {
		seg := strings.Split(part, ";")
		if len(seg) < 2 {
			continue
		}
		for _, p := range seg[1:] {
			if strings.ReplaceAll(strings.TrimSpace(p), " ", "") == `rel="next"` {
				return strings.Trim(strings.TrimSpace(seg[0]), "<>")
			}
		}
	}
	return ""
}

// Revoke implements app/autoflattr.Home: POST /oauth/revoke.
func (c *Client) Revoke(ctx context.Context, server, clientID, secret, token string) error {
	return c.postForm(ctx, server+"/oauth/revoke", url.Values{"client_id": {clientID}, "client_secret": {secret}, "token": {token}}, nil)
}

package oauthapps_test

import (
	"context"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/oauthapps"
	"github.com/plaudit/plaudit/app/store/storetest"
)

func TestRegister(t *testing.T) {
	s := oauthapps.New(storetest.Open(t).OAuth, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		r      oauthapps.Registration
		errish string
	}{
		{"custom scheme and oob", oauthapps.Registration{Name: "Ivory", RedirectURIs: []string{"com.tapbots.Ivory.10217:/request_token urn:ietf:wg:oauth:2.0:oob"}, Scopes: "read write follow"}, ""},
		{"https", oauthapps.Registration{Name: "Elk", RedirectURIs: []string{"https://elk.zone/api/callback"}}, ""},
		{"no name", oauthapps.Registration{RedirectURIs: []string{"https://x.example/cb"}}, app.EINVALID},
		{"no redirect", oauthapps.Registration{Name: "x"}, app.EINVALID},
		{"relative", oauthapps.Registration{Name: "x", RedirectURIs: []string{"/cb"}}, app.EINVALID},
		{"fragment", oauthapps.Registration{Name: "x", RedirectURIs: []string{"https://x.example/cb#f"}}, app.EINVALID},
		{"javascript", oauthapps.Registration{Name: "x", RedirectURIs: []string{"javascript:alert(1)"}}, app.EINVALID},
		{"unknown scope", oauthapps.Registration{Name: "x", RedirectURIs: []string{"https://x.example/cb"}, Scopes: "read everything"}, app.EINVALID},
		{"bad website", oauthapps.Registration{Name: "x", RedirectURIs: []string{"https://x.example/cb"}, Website: "ftp://x"}, app.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, secret, err := s.Register(ctx, tc.r)
			if app.ErrorCode(err) != tc.errish {
				t.Fatalf("err = %v, want code %q", err, tc.errish)
			}
			if err != nil {
				return
			}
			if secret == "" || a.ClientID == "" || a.SecretHash == secret || !oauthapps.VerifySecret(a, secret) || oauthapps.VerifySecret(a, secret+"x") {
				t.Fatalf("app %+v, secret %q", a, secret)
			}
			got, err := s.App(ctx, a.ClientID)
			if err != nil || got.Name != tc.r.Name {
				t.Fatalf("App = %+v, %v", got, err)
			}
		})
	}
}

func TestRedirectsAndScopes(t *testing.T) {
	a := &app.OAuthApp{RedirectURIs: "com.tapbots.Ivory.10217:/request_token\nhttps://elk.zone/cb", Scopes: "read write:favourites"}
	for uri, want := range map[string]bool{
		"com.tapbots.Ivory.10217:/request_token":       true,
		"https://elk.zone/cb":                          true,
		"https://elk.zone/cb/":                         false,
		"https://elk.zone/cb?x=1":                      false,
		"com.tapbots.Ivory.10217:/request_token/extra": false,
		"urn:ietf:wg:oauth:2.0:oob":                    false,
	} {
		if got := oauthapps.AllowsRedirect(a, uri); got != want {
			t.Errorf("AllowsRedirect(%q) = %v", uri, got)
		}
	}
	for scope, ok := range map[string]bool{"": true, "read": true, "read:accounts": true, "write:favourites": true, "write": false, "follow": false, "admin:read": false} {
		got, err := oauthapps.GrantScopes(a, scope)
		if (err == nil) != ok {
			t.Errorf("GrantScopes(%q) = %v, %v", scope, got, err)
		}
	}
}

func TestCodesAreShortLivedAndSingleUse(t *testing.T) {
	now := time.Now()
	s := oauthapps.New(storetest.Open(t).OAuth, func() time.Time { return now })
	ctx := context.Background()
	for _, code := range []string{"fresh", "stale"} {
		if err := s.SaveCode(ctx, code, &app.OAuthCode{ClientID: "c", Username: "ann", RedirectURI: "x:/y", Scopes: "read"}); err != nil {
			t.Fatal(err)
		}
	}
	if c, err := s.TakeCode(ctx, "fresh"); err != nil || c.Username != "ann" {
		t.Fatalf("take = %+v, %v", c, err)
	}
	if _, err := s.TakeCode(ctx, "fresh"); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("second take: %v", err)
	}
	now = now.Add(oauthapps.CodeTTL + time.Second)
	if _, err := s.TakeCode(ctx, "stale"); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("take after %s: %v", oauthapps.CodeTTL, err)
	}
	if n, err := s.PruneCodes(ctx); n != 0 || err != nil {
		t.Fatalf("prune of codes expired minutes ago = %d, %v", n, err)
	}
	now = now.Add(25 * time.Hour)
	if n, err := s.PruneCodes(ctx); n != 2 || err != nil {
		t.Fatalf("prune a day later = %d, %v, want 2", n, err)
	}
}

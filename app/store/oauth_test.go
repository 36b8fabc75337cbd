package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store/storetest"
)

// TestOAuthCodesAreSingleUse stores an app and a code and takes the code:
// once, not after its use nor after it expired.
func TestOAuthCodesAreSingleUse(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	now := time.Now().UTC()
	a := &app.OAuthApp{ClientID: "cid", SecretHash: "sh", Name: "Ivory", RedirectURIs: "com.tapbots.Ivory.10217:/request_token\nurn:ietf:wg:oauth:2.0:oob", Scopes: "read write", CreatedAt: now}
	if err := s.CreateOAuthApp(ctx, a); err != nil {
		t.Fatal(err)
	}
	got, err := s.OAuthAppByClientID(ctx, "cid")
	if err != nil || got.RedirectURIs != a.RedirectURIs || got.SecretHash != "sh" || got.ID == 0 {
		t.Fatalf("app = %+v, %v", got, err)
	}
	if _, err := s.OAuthAppByClientID(ctx, "nope"); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("unknown app: %v", err)
	}
	for _, c := range []*app.OAuthCode{
		{CodeHash: "live", ClientID: "cid", Username: "ann", RedirectURI: "x:/y", Scopes: "read", Challenge: "c", ChallengeMethod: "S256", CreatedAt: now, ExpiresAt: now.Add(time.Minute)},
		{CodeHash: "old", ClientID: "cid", Username: "ann", RedirectURI: "x:/y", Scopes: "read", CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-time.Minute)},
	} {
		if err := s.CreateOAuthCode(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	c, err := s.TakeOAuthCode(ctx, "live", now)
	if err != nil || c.Username != "ann" || c.Challenge != "c" || c.UsedAt == nil {
		t.Fatalf("take = %+v, %v", c, err)
	}
	for _, hash := range []string{"live", "old", "unknown"} {
		if _, err := s.TakeOAuthCode(ctx, hash, now); app.ErrorCode(err) != app.ENOTFOUND {
			t.Errorf("take %s again: %v, want not found", hash, err)
		}
	}
	tok := &app.OAuthAppToken{TokenHash: "th", ClientID: "cid", Scopes: "read", CreatedAt: now}
	if err := s.CreateOAuthAppToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.RevokeOAuthAppToken(ctx, "other", "th", now); ok || err != nil {
		t.Fatalf("revoke by another app = %v, %v", ok, err)
	}
	if ok, err := s.RevokeOAuthAppToken(ctx, "cid", "th", now); !ok || err != nil {
		t.Fatalf("revoke = %v, %v", ok, err)
	}
	if got, err := s.OAuthAppTokenByHash(ctx, "th"); err != nil || got.RevokedAt == nil {
		t.Fatalf("revoked token = %+v, %v", got, err)
	}
}

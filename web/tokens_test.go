package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app/accounts"
)

func TestTokensAPI(t *testing.T) {
	s := newScopeServer(t)
	phone := s.mustToken(t, "alice", "read write")
	laptop := s.mustToken(t, "alice", "read:accounts")
	rootTok := s.mustToken(t, "root", "")

	resp, body := s.do(t, "GET", "/api/v1/tokens", phone, "", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/tokens = %d %s", resp.StatusCode, body)
	}
	var list []struct {
		ID        int64   `json:"id"`
		Scope     string  `json:"scope"`
		State     string  `json:"state"`
		Current   bool    `json:"current"`
		ExpiresAt *string `json:"expires_at"`
		RevokedAt *string `json:"revoked_at"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Scope != "read write" || !list[0].Current || list[1].Scope != "read:accounts" || list[1].Current {
		t.Fatalf("alice's tokens = %+v, want phone (current) then laptop", list)
	}
	if list[0].State != accounts.TokenActive || list[0].ExpiresAt == nil || list[0].RevokedAt != nil {
		t.Fatalf("phone token = %+v, want active with an expiry", list[0])
	}
	if strings.Contains(body, phone) || strings.Contains(body, "token_hash") || strings.Contains(body, accounts.HashSecret(phone)) {
		t.Fatalf("token list shows a secret or its hash: %s", body)
	}

	rootTokens, err := s.accounts.Tokens(context.Background(), "root")
	if err != nil || len(rootTokens) != 1 {
		t.Fatalf("root's tokens = %v, %v", rootTokens, err)
	}
	rootID := rootTokens[0].ID
	if resp, body := s.do(t, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", rootID), phone, "", nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("alice revoking root's token = %d %s, want 404", resp.StatusCode, body)
	}
	if resp, _ := s.do(t, "GET", "/api/v1/me", rootTok, "", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("root's token after alice's attempt = %d, want 200", resp.StatusCode)
	}
	if resp, _ := s.do(t, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", list[0].ID), laptop, "", nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("revoking with a read-only token = %d, want 403", resp.StatusCode)
	}
	if resp, _ := s.do(t, "DELETE", "/api/v1/tokens/abc", phone, "", nil); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("DELETE /api/v1/tokens/abc = %d, want 400", resp.StatusCode)
	}
	resp, body = s.do(t, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", list[1].ID), phone, "", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"state":"revoked"`) {
		t.Fatalf("revoking the laptop token = %d %s, want 200 revoked", resp.StatusCode, body)
	}
	resp, body = s.do(t, "GET", "/api/v1/me", laptop, "", nil)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "this bearer token was revoked") {
		t.Fatalf("revoked token = %d %s, want 401 saying it was revoked", resp.StatusCode, body)
	}
	if h := resp.Header.Get("WWW-Authenticate"); !strings.Contains(h, `error="invalid_token"`) {
		t.Errorf("WWW-Authenticate = %q, want invalid_token", h)
	}
	if resp, _ := s.do(t, "GET", "/api/v1/me", phone, "", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("the phone token after revoking the laptop = %d, want 200", resp.StatusCode)
	}
}

func TestExpiredTokenIsRefused(t *testing.T) {
	clock := &testClock{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	s := newServer(t, func(o *accounts.Options) { o.Now = clock.Now; o.TokenTTL = time.Hour }, nil)
	s.mustUser(t, "alice", false)
	tok := s.mustToken(t, "alice", "")
	if resp, _ := s.do(t, "GET", "/api/v1/me", tok, "", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("fresh token = %d, want 200", resp.StatusCode)
	}
	clock.advance(time.Hour)
	resp, body := s.do(t, "GET", "/api/v1/me", tok, "", nil)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "this bearer token expired at 2026-12-01T13:00:00Z") {
		t.Fatalf("expired token = %d %s, want 401 saying when it expired", resp.StatusCode, body)
	}
}

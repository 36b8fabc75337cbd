package httpsig

import (
	"context"
	"crypto"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestVerifyOtherServers verifies requests signed the way other servers
// sign them, by a signer written here without go-fed.
func TestVerifyOtherServers(t *testing.T) {
	tests := []struct {
		name      string
		method    string
		url       string
		body      []byte
		key       crypto.PrivateKey
		keyID     string
		algorithm string
		target    string // the (request-target) the sender signs
		headers   []string
		want      *Result
		wantErr   error
	}{
		{
			// app/lib/request.rb: Host, Date, Digest and Content-Type,
			// rsa-sha256, keyId the actor URI plus #main-key.
			name: "mastodon post", method: http.MethodPost, url: inboxURL, body: likeBody,
			key: aliceKey(), keyID: aliceKeyID, algorithm: "rsa-sha256",
			target:  "post /users/carol/inbox",
			headers: []string{"(request-target)", "host", "date", "digest", "content-type"},
			want:    &Result{KeyID: aliceKeyID, Owner: aliceActor},
		},
		{
			// Mastodon before 4.3 left the query out of (request-target).
			name: "mastodon get without query in target", method: http.MethodGet, url: outboxURL,
			key: aliceKey(), keyID: aliceKeyID, algorithm: "rsa-sha256",
			target:  "get /users/carol/outbox",
			headers: []string{"(request-target)", "host", "date", "accept"},
			want:    &Result{KeyID: aliceKeyID, Owner: aliceActor},
		},
		{
			// GoToSocial: go-fed's hs2019, keyId ending in /main-key,
			// query included in a GET's target.
			name: "gotosocial get", method: http.MethodGet, url: outboxURL,
			key: aliceKey(), keyID: gtsKeyID, algorithm: "hs2019",
			target:  "get /users/carol/outbox?page=true&min_id=5",
			headers: []string{"(request-target)", "host", "date"},
			want:    &Result{KeyID: gtsKeyID, Owner: gtsActor},
		},
		{
			name: "gotosocial post", method: http.MethodPost, url: inboxURL, body: likeBody,
			key: aliceKey(), keyID: gtsKeyID, algorithm: "hs2019",
			target:  "post /users/carol/inbox",
			headers: []string{"(request-target)", "host", "date", "digest"},
			want:    &Result{KeyID: gtsKeyID, Owner: gtsActor},
		},
		{
			// Fedify's header order.
			name: "fedify post", method: http.MethodPost, url: inboxURL, body: likeBody,
			key: aliceKey(), keyID: aliceKeyID, algorithm: "rsa-sha256",
			target:  "post /users/carol/inbox",
			headers: []string{"(request-target)", "content-type", "date", "digest", "host"},
			want:    &Result{KeyID: aliceKeyID, Owner: aliceActor},
		},
		{
			name: "ed25519 key", method: http.MethodPost, url: inboxURL, body: likeBody,
			key: edKey, keyID: edKeyID, algorithm: "hs2019",
			target:  "post /users/carol/inbox",
			headers: []string{"(request-target)", "host", "date", "digest"},
			want:    &Result{KeyID: edKeyID, Owner: edActor},
		},
		{
			name: "ed25519 signature under an rsa key", method: http.MethodPost, url: inboxURL, body: likeBody,
			key: edKey, keyID: aliceKeyID, algorithm: "ed25519",
			target:  "post /users/carol/inbox",
			headers: []string{"(request-target)", "host", "date", "digest"},
			wantErr: ErrBadSignature,
		},
		{
			name: "target signed with another method", method: http.MethodPost, url: inboxURL, body: likeBody,
			key: aliceKey(), keyID: aliceKeyID, algorithm: "rsa-sha256",
			target:  "get /users/carol/inbox",
			headers: []string{"(request-target)", "host", "date", "digest"},
			wantErr: ErrBadSignature,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(t, tt.method, tt.url)
			r.Header.Set("Host", r.URL.Host)
			r.Header.Set("Date", testNow.Format(http.TimeFormat))
			if tt.body != nil {
				r.Header.Set("Digest", sha256Digest(tt.body))
			}
			r.Header.Set("Signature", handSign(t, r, tt.key, tt.keyID, tt.algorithm, tt.target, tt.headers))
			v := mustVerifier(t, Options{KeyResolver: newResolver()})
			got, err := v.Verify(context.Background(), wire(t, r, tt.body), tt.body)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Verify result (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSignerMatchesHandSigner checks that Plaudit's Signer produces the very
// signature an independent signer computes over Mastodon's signing string,
// so what Mastodon rebuilds on its side verifies.
func TestSignerMatchesHandSigner(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		url     string
		body    []byte
		query   bool
		target  string
		headers []string
	}{
		{
			name: "post", method: http.MethodPost, url: inboxURL, body: likeBody,
			target:  "post /users/carol/inbox",
			headers: []string{"(request-target)", "host", "date", "digest"},
		},
		{
			name: "get with query", method: http.MethodGet, url: outboxURL, query: true,
			target:  "get /users/carol/outbox?page=true&min_id=5",
			headers: []string{"(request-target)", "host", "date"},
		},
		{
			name: "get without query", method: http.MethodGet, url: outboxURL, query: false,
			target:  "get /users/carol/outbox",
			headers: []string{"(request-target)", "host", "date"},
		},
		{
			name: "escaped path", method: http.MethodGet, url: "https://plaudit.example/tags/caf%C3%A9", query: true,
			target:  "get /tags/caf%C3%A9",
			headers: []string{"(request-target)", "host", "date"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(t, tt.method, tt.url)
			s := NewSigner(aliceKeyID, aliceKey()).WithClock(fixedClock(testNow))
			var err error
			if tt.method == http.MethodPost {
				err = s.SignPOST(r, tt.body)
			} else {
				err = s.SignGET(r, tt.query)
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseSignatureHeader(r.Header.Get("Signature"))
			if err != nil {
				t.Fatal(err)
			}
			want, err := ParseSignatureHeader(handSign(t, r, aliceKey(), aliceKeyID, "rsa-sha256", tt.target, tt.headers))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Signature (-hand +Signer):\n%s", diff)
			}
		})
	}
}

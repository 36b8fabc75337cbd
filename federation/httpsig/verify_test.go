package httpsig

import (
	"context"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestVerify(t *testing.T) {
	aliceResult := &Result{KeyID: aliceKeyID, Owner: aliceActor}
	tests := []struct {
		name string
		// build returns the request as the server receives it and the body
		// the server read.
		build   func(t *testing.T) (*http.Request, []byte)
		want    *Result
		wantErr error
	}{
		{
			name: "post round trip",
			build: func(t *testing.T) (*http.Request, []byte) {
				return wire(t, signedPost(t, aliceKey(), testNow, inboxURL, likeBody), likeBody), likeBody
			},
			want: aliceResult,
		},
		{
			name: "get round trip with query",
			build: func(t *testing.T) (*http.Request, []byte) {
				return wire(t, signedGet(t, outboxURL, true), nil), nil
			},
			want: aliceResult,
		},
		{
			name: "double knock: signed without query, sent with it",
			build: func(t *testing.T) (*http.Request, []byte) {
				return wire(t, signedGet(t, outboxURL, false), nil), nil
			},
			want: aliceResult,
		},
		{
			name: "double knock: signed without query, server sees no query",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := signedGet(t, outboxURL, false)
				r.URL.RawQuery = ""
				return wire(t, r, nil), nil
			},
			want: aliceResult,
		},
		{
			name: "signed with query, server sees no query",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := signedGet(t, outboxURL, true)
				r.URL.RawQuery = ""
				return wire(t, r, nil), nil
			},
			wantErr: ErrBadSignature,
		},
		{
			name: "tampered body",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := wire(t, signedPost(t, aliceKey(), testNow, inboxURL, likeBody), likeBody)
				return r, []byte(`{"type":"Delete"}`)
			},
			wantErr: ErrDigestMismatch,
		},
		{
			name: "digest header removed",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := signedPost(t, aliceKey(), testNow, inboxURL, likeBody)
				r.Header.Del("Digest")
				return wire(t, r, likeBody), likeBody
			},
			wantErr: ErrMissingDigest,
		},
		{
			name: "digest not signed",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := newRequest(t, http.MethodPost, inboxURL)
				r.Header.Set("Host", "plaudit.example")
				r.Header.Set("Date", testNow.Format(http.TimeFormat))
				r.Header.Set("Digest", sha256Digest(likeBody))
				r.Header.Set("Signature", handSign(t, r, aliceKey(), aliceKeyID, "rsa-sha256",
					"post /users/carol/inbox", []string{"(request-target)", "host", "date"}))
				return wire(t, r, likeBody), likeBody
			},
			wantErr: ErrHeaderNotSigned,
		},
		{
			name: "host not signed on post",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := newRequest(t, http.MethodPost, inboxURL)
				r.Header.Set("Date", testNow.Format(http.TimeFormat))
				r.Header.Set("Digest", sha256Digest(likeBody))
				r.Header.Set("Signature", handSign(t, r, aliceKey(), aliceKeyID, "rsa-sha256",
					"post /users/carol/inbox", []string{"(request-target)", "date", "digest"}))
				return wire(t, r, likeBody), likeBody
			},
			wantErr: ErrHeaderNotSigned,
		},
		{
			name: "host not signed on get",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := newRequest(t, http.MethodGet, "https://plaudit.example/users/carol")
				r.Header.Set("Date", testNow.Format(http.TimeFormat))
				r.Header.Set("Signature", handSign(t, r, aliceKey(), aliceKeyID, "rsa-sha256",
					"get /users/carol", []string{"(request-target)", "date"}))
				return wire(t, r, nil), nil
			},
			wantErr: ErrHeaderNotSigned,
		},
		{
			name: "date not signed",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := newRequest(t, http.MethodGet, "https://plaudit.example/users/carol")
				r.Header.Set("Host", "plaudit.example")
				r.Header.Set("Date", testNow.Format(http.TimeFormat))
				r.Header.Set("Signature", handSign(t, r, aliceKey(), aliceKeyID, "rsa-sha256",
					"get /users/carol", []string{"(request-target)", "host"}))
				return wire(t, r, nil), nil
			},
			wantErr: ErrHeaderNotSigned,
		},
		{
			name: "no headers parameter",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := newRequest(t, http.MethodGet, "https://plaudit.example/users/carol")
				r.Header.Set("Date", testNow.Format(http.TimeFormat))
				r.Header.Set("Signature", `keyId="`+aliceKeyID+`",signature="c2ln"`)
				return wire(t, r, nil), nil
			},
			wantErr: ErrHeaderNotSigned,
		},
		{
			name: "wrong key",
			build: func(t *testing.T) (*http.Request, []byte) {
				return wire(t, signedPost(t, malloryKey(), testNow, inboxURL, likeBody), likeBody), likeBody
			},
			wantErr: ErrBadSignature,
		},
		{
			name: "path changed after signing",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := signedPost(t, aliceKey(), testNow, inboxURL, likeBody)
				r.URL.Path = "/users/dave/inbox"
				return wire(t, r, likeBody), likeBody
			},
			wantErr: ErrBadSignature,
		},
		{
			name: "date changed after signing",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := signedPost(t, aliceKey(), testNow, inboxURL, likeBody)
				r.Header.Set("Date", testNow.Add(-time.Minute).Format(http.TimeFormat))
				return wire(t, r, likeBody), likeBody
			},
			wantErr: ErrBadSignature,
		},
		{
			name: "date two hours old",
			build: func(t *testing.T) (*http.Request, []byte) {
				return wire(t, signedPost(t, aliceKey(), testNow.Add(-2*time.Hour), inboxURL, likeBody), likeBody), likeBody
			},
			wantErr: ErrStaleDate,
		},
		{
			name: "date two hours ahead",
			build: func(t *testing.T) (*http.Request, []byte) {
				return wire(t, signedPost(t, aliceKey(), testNow.Add(2*time.Hour), inboxURL, likeBody), likeBody), likeBody
			},
			wantErr: ErrStaleDate,
		},
		{
			name: "date 59 minutes old",
			build: func(t *testing.T) (*http.Request, []byte) {
				return wire(t, signedPost(t, aliceKey(), testNow.Add(-59*time.Minute), inboxURL, likeBody), likeBody), likeBody
			},
			want: aliceResult,
		},
		{
			name: "date 59 minutes ahead",
			build: func(t *testing.T) (*http.Request, []byte) {
				return wire(t, signedPost(t, aliceKey(), testNow.Add(59*time.Minute), inboxURL, likeBody), likeBody), likeBody
			},
			want: aliceResult,
		},
		{
			name: "unparseable date",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := newRequest(t, http.MethodGet, "https://plaudit.example/users/carol")
				r.Header.Set("Host", "plaudit.example")
				r.Header.Set("Date", "yesterday")
				r.Header.Set("Signature", handSign(t, r, aliceKey(), aliceKeyID, "rsa-sha256",
					"get /users/carol", []string{"(request-target)", "host", "date"}))
				return wire(t, r, nil), nil
			},
			wantErr: ErrInvalidDate,
		},
		{
			name: "expires parameter two hours past",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := signedGet(t, outboxURL, true)
				p, err := ParseSignatureHeader(r.Header.Get("Signature"))
				if err != nil {
					t.Fatal(err)
				}
				p.Expires = testNow.Add(-2 * time.Hour).Unix()
				r.Header.Set("Signature", p.String())
				return wire(t, r, nil), nil
			},
			wantErr: ErrStaleDate,
		},
		{
			name: "not signed",
			build: func(t *testing.T) (*http.Request, []byte) {
				return wire(t, newRequest(t, http.MethodPost, inboxURL), likeBody), likeBody
			},
			wantErr: ErrMissingSignature,
		},
		{
			name: "authorization header of another scheme only",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := newRequest(t, http.MethodGet, outboxURL)
				r.Header.Set("Authorization", "Bearer abc")
				return wire(t, r, nil), nil
			},
			wantErr: ErrMissingSignature,
		},
		{
			name: "rfc 9421 message signature",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := newRequest(t, http.MethodPost, inboxURL)
				r.Header.Set("Signature-Input", `sig1=("@method" "@target-uri" "content-digest");created=1772366400;keyid="`+aliceKeyID+`"`)
				r.Header.Set("Signature", "sig1=:c2ln:")
				return wire(t, r, likeBody), likeBody
			},
			wantErr: ErrUnsupportedScheme,
		},
		{
			name: "malformed signature header",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := newRequest(t, http.MethodPost, inboxURL)
				r.Header.Set("Signature", `keyId="`+aliceKeyID+`,signature="abc`)
				return wire(t, r, likeBody), likeBody
			},
			wantErr: ErrMalformedSignature,
		},
		{
			name: "unknown key",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := newRequest(t, http.MethodPost, inboxURL)
				if err := NewSigner("https://nowhere.example/actor#key", aliceKey()).WithClock(fixedClock(testNow)).SignPOST(r, likeBody); err != nil {
					t.Fatal(err)
				}
				return wire(t, r, likeBody), likeBody
			},
			wantErr: ErrUnknownKey,
		},
		{
			name: "md5 digest only",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := newRequest(t, http.MethodPost, inboxURL)
				r.Header.Set("Host", "plaudit.example")
				r.Header.Set("Date", testNow.Format(http.TimeFormat))
				r.Header.Set("Digest", "MD5=HUXZLQLMuI/KZ5KDcJPcOA==")
				r.Header.Set("Signature", handSign(t, r, aliceKey(), aliceKeyID, "rsa-sha256",
					"post /users/carol/inbox", []string{"(request-target)", "host", "date", "digest"}))
				return wire(t, r, likeBody), likeBody
			},
			wantErr: ErrUnsupportedDigest,
		},
		{
			name: "sha-512 digest",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := newRequest(t, http.MethodPost, inboxURL)
				sum := sha512.Sum512(likeBody)
				r.Header.Set("Host", "plaudit.example")
				r.Header.Set("Date", testNow.Format(http.TimeFormat))
				r.Header.Set("Digest", "SHA-512="+base64.StdEncoding.EncodeToString(sum[:]))
				r.Header.Set("Signature", handSign(t, r, aliceKey(), aliceKeyID, "rsa-sha256",
					"post /users/carol/inbox", []string{"(request-target)", "host", "date", "digest"}))
				return wire(t, r, likeBody), likeBody
			},
			want: aliceResult,
		},
		{
			name: "sha-256 matches but sha-512 does not",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := newRequest(t, http.MethodPost, inboxURL)
				r.Header.Set("Host", "plaudit.example")
				r.Header.Set("Date", testNow.Format(http.TimeFormat))
				r.Header.Set("Digest", sha256Digest(likeBody)+",SHA-512=AAAA")
				r.Header.Set("Signature", handSign(t, r, aliceKey(), aliceKeyID, "rsa-sha256",
					"post /users/carol/inbox", []string{"(request-target)", "host", "date", "digest"}))
				return wire(t, r, likeBody), likeBody
			},
			wantErr: ErrDigestMismatch,
		},
		{
			name: "authorization: signature header",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := signedPost(t, aliceKey(), testNow, inboxURL, likeBody)
				r.Header.Set("Authorization", "Signature "+r.Header.Get("Signature"))
				r.Header.Del("Signature")
				return wire(t, r, likeBody), likeBody
			},
			want: aliceResult,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := tt.build(t)
			v := mustVerifier(t, Options{KeyResolver: newResolver()})
			got, err := v.Verify(context.Background(), r, body)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Verify result (-want +got):\n%s", diff)
			}
		})
	}
}

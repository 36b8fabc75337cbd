package httpsig

import (
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// DefaultWindow is how far a signature's Date may lie from now, as in
// Mastodon.
const DefaultWindow = time.Hour

// PublicKey is a sender's public key and the actor that owns it.
type PublicKey struct {
	// Key is an *rsa.PublicKey or an ed25519.PublicKey.
	Key crypto.PublicKey
	// Owner is the id of the actor the key belongs to.
	Owner string
}

// KeyResolver finds the public key a signature names. With refresh false it
// may answer from a cache; with refresh true it must fetch the key anew,
// because the cached one no longer verifies. A key that does not exist is
// reported with an error wrapping ErrUnknownKey.
type KeyResolver interface {
	ResolveKey(ctx context.Context, keyID string, refresh bool) (*PublicKey, error)
}

// Options configure a Verifier.
type Options struct {
	// KeyResolver finds senders' keys. Required.
	KeyResolver KeyResolver
	// ReplayCache remembers accepted signatures; nil means an in-memory
	// cache of this process alone.
	ReplayCache ReplayCache
	// Window is how old a request's Date may be; 0 means DefaultWindow.
	Window time.Duration
	// MaxClockSkew is how far in the future a request's Date may be, for
	// senders whose clock runs ahead; 0 means Window.
	MaxClockSkew time.Duration
	// Now tells the time; nil means time.Now.
	Now func() time.Time
	// ReplayGET extends the replay check to GET and HEAD. It is off by
	// default: two identical signed fetches of one URL in the same second
	// carry byte-identical signatures (RSA PKCS #1 v1.5 is deterministic),
	// and refusing the second would break legitimate, idempotent fetches.
	ReplayGET bool
}

// Result identifies who signed a verified request.
type Result struct {
	// KeyID is the key that signed.
	KeyID string
	// Owner is the actor that owns the key, as the resolver said.
	Owner string
}

// Verifier checks signed requests. It is safe for concurrent use.
type Verifier struct {
	keys      KeyResolver
	replay    ReplayCache
	window    time.Duration
	skew      time.Duration
	now       func() time.Time
	replayGET bool
	schemes   []scheme
}

// NewVerifier returns a Verifier with opts, defaults filled in.
func NewVerifier(opts Options) (*Verifier, error) {
	if opts.KeyResolver == nil {
		return nil, errors.New("new verifier: no key resolver")
	}
	if opts.Window < 0 || opts.MaxClockSkew < 0 {
		return nil, errors.New("new verifier: negative window or clock skew")
	}
	v := &Verifier{
		keys:      opts.KeyResolver,
		replay:    opts.ReplayCache,
		window:    opts.Window,
		skew:      opts.MaxClockSkew,
		now:       opts.Now,
		replayGET: opts.ReplayGET,
		schemes:   []scheme{cavageScheme{}},
	}
	if v.window == 0 {
		v.window = DefaultWindow
	}
	if v.skew == 0 {
		v.skew = v.window
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.replay == nil {
		v.replay = NewMemoryReplayCache(MemoryReplayOptions{Now: v.now})
	}
	return v, nil
}

// Verify checks the signature on r, whose body (already read, and bounded
// by the caller) is body. On success it names the signer, whom the caller
// still has to match with the activity's actor; on failure the error wraps
// one of the Err* values of this package, or is an error of the key
// resolver or replay cache. The resolver is asked only about requests that
// pass the cheap checks (coverage, digest, date), and the replay cache only
// about requests whose signature verified.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, body []byte) (*Result, error) {
	for _, s := range v.schemes {
		sig, ok, err := s.parse(r)
		if err != nil {
			return nil, err
		}
		if ok {
			return v.verify(ctx, r, body, sig)
		}
	}
	if r.Header.Get("Signature-Input") != "" {
		return nil, fmt.Errorf("%w: RFC 9421 message signatures are not supported yet; sign with draft-cavage", ErrUnsupportedScheme)
	}
	return nil, ErrMissingSignature
}

func (v *Verifier) verify(ctx context.Context, r *http.Request, body []byte, sig signature) (*Result, error) {
	if err := sig.checkCoverage(r, hasBody(r, body)); err != nil {
		return nil, err
	}
	if err := sig.checkDigest(r, body); err != nil {
		return nil, err
	}
	if err := v.checkTime(sig, r); err != nil {
		return nil, err
	}
	key, err := v.verifyWithKey(ctx, r, sig)
	if err != nil {
		return nil, err
	}
	if v.replayGET || !isSafe(r.Method) {
		if err := v.checkReplay(ctx, sig); err != nil {
			return nil, err
		}
	}
	return &Result{KeyID: sig.keyID(), Owner: key.Owner}, nil
}

// checkTime accepts a signature dated within Window before and MaxClockSkew
// after now, and not past its expiry.
func (v *Verifier) checkTime(sig signature, r *http.Request) error {
	signed, expires, err := sig.times(r)
	if err != nil {
		return err
	}
	now := v.now()
	if age := now.Sub(signed); age > v.window {
		return fmt.Errorf("%w: signed %s ago, more than %s", ErrStaleDate, age.Round(time.Second), v.window)
	}
	if ahead := signed.Sub(now); ahead > v.skew {
		return fmt.Errorf("%w: signed %s in the future, more than %s", ErrStaleDate, ahead.Round(time.Second), v.skew)
	}
	if !expires.IsZero() && now.Sub(expires) > v.skew {
		return fmt.Errorf("%w: expired at %s", ErrStaleDate, expires.UTC().Format(time.RFC3339))
	}
	return nil
}

// verifyWithKey verifies with the resolver's key and, if that fails, once
// more with a freshly fetched one: the sender may have rotated its key.
func (v *Verifier) verifyWithKey(ctx context.Context, r *http.Request, sig signature) (*PublicKey, error) {
	key, err := v.resolve(ctx, sig.keyID(), false)
	if err != nil {
		return nil, err
	}
	err = verifyKey(sig, r, key)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, ErrBadSignature) {
		return nil, err
	}
	fresh, rerr := v.resolve(ctx, sig.keyID(), true)
	if rerr != nil {
		return nil, fmt.Errorf("%w (and refreshing the key failed: %v)", err, rerr)
	}
	if sameKey(key.Key, fresh.Key) {
		return nil, err
	}
	if err := verifyKey(sig, r, fresh); err != nil {
		return nil, err
	}
	return fresh, nil
}

func (v *Verifier) resolve(ctx context.Context, keyID string, refresh bool) (*PublicKey, error) {
	key, err := v.keys.ResolveKey(ctx, keyID, refresh)
	if err != nil {
		return nil, fmt.Errorf("resolve key %s: %w", keyID, err)
	}
	if key == nil || key.Key == nil {
		return nil, fmt.Errorf("resolve key %s: %w", keyID, ErrUnknownKey)
	}
	return key, nil
}

func verifyKey(sig signature, r *http.Request, key *PublicKey) error {
	if err := checkPublicKey(key.Key); err != nil {
		return fmt.Errorf("key %s: %w", sig.keyID(), err)
	}
	return sig.verify(r, key.Key)
}

// checkReplay records the verified signature and fails if it was already
// recorded. It runs only after verification, so that forged requests cannot
// fill the cache. Entries live for Window + MaxClockSkew: as long as the
// same Date stays acceptable.
func (v *Verifier) checkReplay(ctx context.Context, sig signature) error {
	sum := sha256.Sum256([]byte(sig.replayKey()))
	seen, err := v.replay.Seen(ctx, hex.EncodeToString(sum[:]), v.window+v.skew)
	if err != nil {
		return fmt.Errorf("replay check: %w", err)
	}
	if seen {
		return fmt.Errorf("%w: key %s", ErrReplay, sig.keyID())
	}
	return nil
}

// hasBody tells whether the request carries content the signature must bind
// through a digest.
func hasBody(r *http.Request, body []byte) bool {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		return true
	}
	return len(body) > 0
}

func isSafe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead
}

// sameKey tells whether two usable keys are equal.
func sameKey(a, b crypto.PublicKey) bool {
	if checkPublicKey(a) != nil || checkPublicKey(b) != nil {
		return false
	}
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}

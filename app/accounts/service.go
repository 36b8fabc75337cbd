// Package accounts holds the use cases of local accounts: creating users,
// signing in, browser sessions, API tokens and invites.
package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/plaudit/plaudit/app"
)

// Secret prefixes make leaked secrets recognisable.
const (
	tokenPrefix   = "plt_"
	sessionPrefix = "pls_"
	invitePrefix  = "pli_"
)

// Signup modes, as in the configuration.
const (
	SignupOpen   = "open"
	SignupInvite = "invite"
	SignupClosed = "closed"
)

// Options tune a Service.
type Options struct {
	SignupMode string           // open, invite or closed
	SessionTTL time.Duration    // how long a browser stays signed in
	Argon2     *argon2id.Params // nil uses DefaultArgon2Params
	Now        func() time.Time // nil uses time.Now
	InviteTTL  time.Duration    // how long an invite stays valid
	// HashSlots bounds the password hashes computed at once (sign-in,
	// sign-up, user creation); nil makes DefaultHashConcurrency slots.
	HashSlots *HashSlots
	// TokenTTL is the lifetime of an API token whose creator chose none;
	// 0 uses DefaultTokenTTL.
	TokenTTL time.Duration
	// Protected are the usernames no admin may suspend: the instance's
	// own accounts, such as the flattr actor.
	Protected []string
}

// Service implements the account use cases.
type Service struct {
	store app.AccountStore
	opts  Options

	// dummyHash is compared against when the user does not exist, so that a
	// failed sign-in takes as long for unknown names as for known ones. It
	// is made on first need: argon2id takes 64 MiB and ~50 ms.
	dummyOnce sync.Once
	dummyHash string
}

// New returns a Service on store.
func New(store app.AccountStore, opts Options) (*Service, error) {
	if opts.Argon2 == nil {
		opts.Argon2 = DefaultArgon2Params
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SessionTTL == 0 {
		opts.SessionTTL = 30 * 24 * time.Hour
	}
	if opts.InviteTTL == 0 {
		opts.InviteTTL = 14 * 24 * time.Hour
	}
	if opts.SignupMode == "" {
		opts.SignupMode = SignupInvite
	}
	if opts.HashSlots == nil {
		opts.HashSlots = NewHashSlots(DefaultHashConcurrency)
	}
	if opts.TokenTTL == 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	return &Service{store: store, opts: opts}, nil
}

// burnDummy spends the time of one password check.
func (s *Service) burnDummy(password string) {
	s.dummyOnce.Do(func() {
		s.dummyHash, _ = argon2id.CreateHash("no such user, no such password", s.opts.Argon2)
	})
	_, _ = passwordMatches(password, s.dummyHash)
}

// SignupMode tells who may sign up on the web.
func (s *Service) SignupMode() string { return s.opts.SignupMode }

// CreateUser creates a local user; admins use it from the command line,
// whatever the sign-up mode.
func (s *Service) CreateUser(ctx context.Context, username, password string, admin bool) (*app.User, error) {
	u, secrets, err := s.newUser(username, password, admin)
	if err != nil {
		return nil, err
	}
	if err := s.store.CreateUser(ctx, u, secrets); err != nil {
		return nil, app.InField("username", fmt.Errorf("create user %s: %w", u.Username, err))
	}
	return u, nil
}

// SignUp creates a user from the web sign-up form, honouring the sign-up
// mode: open, invite (inviteCode must be valid and unused) or closed.
func (s *Service) SignUp(ctx context.Context, username, password, inviteCode string) (*app.User, error) {
	switch s.opts.SignupMode {
	case SignupClosed:
		return nil, app.Errorf(app.EFORBIDDEN, "sign-up is closed on this server")
	case SignupOpen:
		return s.CreateUser(ctx, username, password, false)
	}
	inviteCode = strings.TrimSpace(inviteCode)
	if inviteCode == "" {
		return nil, app.InField("invite", app.Errorf(app.EINVALID, "sign-up on this server needs an invite code"))
	}
	u, secrets, err := s.newUser(username, password, false)
	if err != nil {
		return nil, err
	}
	if err := s.store.CreateUserWithInvite(ctx, u, secrets, HashSecret(inviteCode), s.opts.Now().UTC()); err != nil {
		field := "invite"
		if app.ErrorCode(err) == app.ECONFLICT {
			field = "username"
		}
		return nil, app.InField(field, fmt.Errorf("sign up %s: %w", u.Username, err))
	}
	return u, nil
}

// newUser makes a user and its secrets: the password's hash and a new key
// pair.
func (s *Service) newUser(username, password string, admin bool) (*app.User, app.UserSecrets, error) {
	var none app.UserSecrets
	name, err := app.NormalizeUsername(username)
	if err != nil {
		return nil, none, app.InField("username", err)
	}
	if err := checkPassword(password); err != nil {
		return nil, none, app.InField("password", err)
	}
	var hash string
	err = s.withHashSlot(func() (err error) {
		hash, err = hashPassword(password, s.opts.Argon2)
		return err
	})
	if err != nil {
		return nil, none, err
	}
	privPEM, pubPEM, err := newKeyPair()
	if err != nil {
		return nil, none, err
	}
	now := s.opts.Now().UTC()
	u := &app.User{
		Username: name, DisplayName: username, Admin: admin, PublicKeyPEM: pubPEM, Discoverable: true,
		CreatedAt: now, UpdatedAt: now,
	}
	return u, app.UserSecrets{PasswordHash: hash, PrivateKeyPEM: privPEM}, nil
}

// errBadCredentials is the one answer to every failed sign-in, so that it
// does not tell which usernames exist.
var errBadCredentials = app.Errorf(app.EUNAUTHORIZED, "wrong username or password")

// Authenticate checks a username and password. Every attempt, for a known
// user or not, computes one argon2id hash; when HashSlots are all taken it
// is refused at once with app.ERATELIMITED (retry in about a second).
func (s *Service) Authenticate(ctx context.Context, username, password string) (u *app.User, err error) {
	err = s.withHashSlot(func() error {
		u, err = s.authenticate(ctx, username, password)
		return err
	})
	return u, err
}

// authenticate is Authenticate within a hashing slot.
func (s *Service) authenticate(ctx context.Context, username, password string) (*app.User, error) {
	name, err := app.NormalizeUsername(username)
	if err != nil {
		s.burnDummy(password)
		return nil, errBadCredentials
	}
	u, err := s.store.UserByUsername(ctx, name)
	if errors.Is(err, app.ErrNotFound) {
		s.burnDummy(password)
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate %s: %w", name, err)
	}
	hash, err := s.store.PasswordHash(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("authenticate %s: %w", name, err)
	}
	ok, err := passwordMatches(password, hash)
	if err != nil {
		return nil, fmt.Errorf("authenticate %s: %w", name, err)
	}
	if !ok {
		return nil, errBadCredentials
	}
	if u.SuspendedAt != nil {
		return nil, errSuspended
	}
	return u, nil
}

// StartSession opens a browser session for u and returns its cookie value.
func (s *Service) StartSession(ctx context.Context, u *app.User, userAgent string) (string, error) {
	token, err := newSecret(sessionPrefix)
	if err != nil {
		return "", err
	}
	now := s.opts.Now().UTC()
	if len(userAgent) > 255 {
		userAgent = userAgent[:255]
	}
	sess := &app.Session{TokenHash: HashSecret(token), UserID: u.ID, UserAgent: userAgent, CreatedAt: now, ExpiresAt: now.Add(s.opts.SessionTTL), LastSeenAt: now}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return "", fmt.Errorf("start session for %s: %w", u.Username, err)
	}
	return token, nil
}

// SessionUser returns the user signed in with the session cookie token.
func (s *Service) SessionUser(ctx context.Context, token string) (*app.User, error) {
	if !strings.HasPrefix(token, sessionPrefix) {
		return nil, app.Errorf(app.EUNAUTHORIZED, "not signed in")
	}
	sess, err := s.store.SessionByTokenHash(ctx, HashSecret(token))
	if errors.Is(err, app.ErrNotFound) {
		return nil, app.Errorf(app.EUNAUTHORIZED, "not signed in")
	}
	if err != nil {
		return nil, fmt.Errorf("load session: %w", err)
	}
	now := s.opts.Now().UTC()
	if now.After(sess.ExpiresAt) {
		return nil, app.Errorf(app.EUNAUTHORIZED, "session expired, sign in again")
	}
	if now.Sub(sess.LastSeenAt) > time.Hour {
		if err := s.store.TouchSession(ctx, sess.ID, now); err != nil {
			return nil, err
		}
	}
	u, err := s.store.UserByID(ctx, sess.UserID)
	if err != nil {
		return nil, fmt.Errorf("load session user: %w", err)
	}
	if u.SuspendedAt != nil {
		return nil, app.Errorf(app.EUNAUTHORIZED, "this account is suspended")
	}
	return u, nil
}

// EndSession signs the browser out.
func (s *Service) EndSession(ctx context.Context, token string) error {
	if err := s.store.DeleteSession(ctx, HashSecret(token)); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// CreateInvite makes a one-time sign-up code; createdBy may be nil for
// invites made on the command line.
func (s *Service) CreateInvite(ctx context.Context, createdBy *app.User) (string, error) {
	code, err := newSecret(invitePrefix)
	if err != nil {
		return "", err
	}
	now := s.opts.Now().UTC()
	inv := &app.Invite{CodeHash: HashSecret(code), CreatedAt: now, ExpiresAt: now.Add(s.opts.InviteTTL)}
	if createdBy != nil {
		inv.CreatedBy = &createdBy.ID
	}
	if err := s.store.CreateInvite(ctx, inv); err != nil {
		return "", fmt.Errorf("create invite: %w", err)
	}
	return code, nil
}

// Profile returns the public profile of a local user.
func (s *Service) Profile(ctx context.Context, username string) (*app.User, error) {
	key, err := app.NormalizeUsername(username)
	if err != nil {
		return nil, app.Errorf(app.ENOTFOUND, "no user %q here", username)
	}
	u, err := s.store.UserByUsername(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("profile of %s: %w", key, err)
	}
	return u, nil
}

// SetApprovesFollowers makes username approve new followers by hand (or
// stop doing so).
func (s *Service) SetApprovesFollowers(ctx context.Context, username string, manual bool) error {
	u, err := s.Profile(ctx, username)
	if err != nil {
		return err
	}
	if err := s.store.SetManuallyApprovesFollowers(ctx, u.ID, manual); err != nil {
		return fmt.Errorf("set follower approval of %s: %w", u.Username, err)
	}
	return nil
}

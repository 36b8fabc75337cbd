package accounts

import (
	"fmt"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"

	"github.com/plaudit/plaudit/app"
)

// Password length limits, in characters.
const (
	MinPasswordLength = 10
	MaxPasswordLength = 256
)

// DefaultArgon2Params are the RFC 9106 "second recommended" argon2id
// settings: 64 MiB, 1 pass over it, 2 lanes.
var DefaultArgon2Params = &argon2id.Params{Memory: 64 * 1024, Iterations: 1, Parallelism: 2, SaltLength: 16, KeyLength: 32}

// hashPassword returns an argon2id PHC string for password.
func hashPassword(password string, params *argon2id.Params) (string, error) {
	if err := checkPassword(password); err != nil {
		return "", err
	}
	hash, err := argon2id.CreateHash(password, params)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return hash, nil
}

// checkPassword enforces the length limits.
func checkPassword(password string) error {
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLength || n > MaxPasswordLength {
		return app.Errorf(app.EINVALID, "password must be %d to %d characters long", MinPasswordLength, MaxPasswordLength)
	}
	return nil
}

// passwordMatches reports whether password matches the stored hash.
func passwordMatches(password, hash string) (bool, error) {
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil {
		return false, fmt.Errorf("compare password: %w", err)
	}
	return ok, nil
}

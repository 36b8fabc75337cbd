package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/cmd/plaudit/instance"
)

func newMigrateCommand(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations (running it again does nothing)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, e)
			if err != nil {
				return err
			}
			if err := cfg.EnsureDataDir(); err != nil {
				return err
			}
			cfg.AutoMigrate = false
			s, err := store.Open(cmd.Context(), cfg.StoreURL())
			if err != nil {
				return err
			}
			defer s.Close()
			n, err := s.Migrate(cmd.Context(), nil)
			if err != nil {
				return err
			}
			current, _, err := s.SchemaVersion(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "applied %d migrations; schema at version %d\n", n, current)
			return nil
		},
	}
}

// withAccounts opens the database and runs fn with the account use cases.
func withAccounts(cmd *cobra.Command, e *env, fn func(ctx context.Context, acc *accounts.Service) error) error {
	cfg, err := loadConfig(cmd, e)
	if err != nil {
		return err
	}
	if err := cfg.EnsureDataDir(); err != nil {
		return err
	}
	s, err := instance.OpenStore(cmd.Context(), cfg, newLogger(cfg, e.stderr))
	if err != nil {
		return err
	}
	defer s.Close()
	acc, err := accounts.New(s, accounts.Options{
		SignupMode: cfg.Signup, TokenTTL: cfg.Auth.TokenTTL,
		HashSlots: accounts.NewHashSlots(cfg.Auth.HashConcurrency),
	})
	if err != nil {
		return err
	}
	return fn(cmd.Context(), acc)
}

func newUserCommand(e *env) *cobra.Command {
	user := &cobra.Command{Use: "user", Short: "Manage local users"}
	var admin, approve bool
	create := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a user; the password is read from stdin, or generated and printed when stdin is empty",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			password, generated, err := readPassword(e.stdin)
			if err != nil {
				return err
			}
			return withAccounts(cmd, e, func(ctx context.Context, acc *accounts.Service) error {
				u, err := acc.CreateUser(ctx, args[0], password, admin)
				if err != nil {
					return err
				}
				if approve {
					if err := acc.SetApprovesFollowers(ctx, u.Username, true); err != nil {
						return err
					}
				}
				fmt.Fprintf(e.stdout, "created user %s (admin: %v)\n", u.Username, u.Admin)
				if generated {
					fmt.Fprintf(e.stdout, "password: %s\n", password)
				}
				return nil
			})
		},
	}
	create.Flags().BoolVar(&admin, "admin", false, "make the user an admin")
	create.Flags().BoolVar(&approve, "approve-followers", false, "the user approves new followers by hand (GET /api/v1/follow_requests)")
	user.AddCommand(create)
	return user
}

// readPassword takes the first line of r, or generates a password when r
// gives nothing.
func readPassword(r io.Reader) (password string, generated bool, err error) {
	if r != nil {
		line, err := bufio.NewReader(r).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", false, fmt.Errorf("read password from stdin: %w", err)
		}
		if line = strings.TrimRight(line, "\r\n"); line != "" {
			return line, false, nil
		}
	}
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", false, fmt.Errorf("generate password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), true, nil
}

func newInviteCommand(e *env) *cobra.Command {
	invite := &cobra.Command{Use: "invite", Short: "Manage sign-up invites"}
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a one-time sign-up invite code and print it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withAccounts(cmd, e, func(ctx context.Context, acc *accounts.Service) error {
				code, err := acc.CreateInvite(ctx, nil)
				if err != nil {
					return err
				}
				fmt.Fprintln(e.stdout, code)
				return nil
			})
		},
	}
	invite.AddCommand(create)
	return invite
}

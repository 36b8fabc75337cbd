package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
)

func newTokenCommand(e *env) *cobra.Command {
	token := &cobra.Command{Use: "token", Short: "Manage API bearer tokens"}
	token.AddCommand(newTokenCreateCommand(e), newTokenListCommand(e), newTokenRevokeCommand(e))
	return token
}

func newTokenCreateCommand(e *env) *cobra.Command {
	var (
		name, scopes string
		expires      time.Duration
	)
	create := &cobra.Command{
		Use:   "create USERNAME",
		Short: "Create an API bearer token for a user and print it (it is shown only once)",
		Long: `Create an API bearer token for a user and print it on stdout (it is shown
only once; its id, scopes and expiry go to stderr).

Scopes are Mastodon's: read, write, follow, push, profile, admin:read,
admin:write, and sub-scopes such as read:accounts or write:favourites. A
top-level scope grants its sub-scopes (write grants write:favourites); a
sub-scope grants only itself. Admin scopes are for admins only.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := accounts.TokenRequest{Username: args[0], Name: name, TTL: expires}
			if scopes != "" {
				var err error
				if req.Scopes, err = accounts.ParseScopes(scopes); err != nil {
					return err
				}
			}
			if expires < 0 || (cmd.Flags().Changed("expires") && expires == 0) {
				return app.Errorf(app.EINVALID, "--expires %s must be a positive duration, like 720h", expires)
			}
			return withAccounts(cmd, e, func(ctx context.Context, acc *accounts.Service) error {
				secret, t, err := acc.IssueToken(ctx, req)
				if err != nil {
					return err
				}
				fmt.Fprintln(e.stdout, secret)
				fmt.Fprintf(e.stderr, "token %d (%s) for %s: scopes %q, expires %s\n", t.ID, t.Name, args[0], t.Scopes, t.ExpiresAt.UTC().Format(time.RFC3339))
				return nil
			})
		},
	}
	create.Flags().StringVar(&name, "name", "cli", "what the token is for")
	create.Flags().StringVar(&scopes, "scopes", accounts.DefaultScopes.String(), "scopes the token grants, separated by commas or spaces")
	create.Flags().DurationVar(&expires, "expires", 0, "lifetime of the token, e.g. 720h (default auth.token_ttl, 2160h)")
	return create
}

func newTokenListCommand(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "list USERNAME",
		Short: "List a user's API tokens: id, name, state, scopes, expiry, last use",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withAccounts(cmd, e, func(ctx context.Context, acc *accounts.Service) error {
				list, err := acc.Tokens(ctx, args[0])
				if err != nil {
					return err
				}
				return printTokens(e.stdout, acc, list)
			})
		},
	}
}

func newTokenRevokeCommand(e *env) *cobra.Command {
	var user, name string
	revoke := &cobra.Command{
		Use:   "revoke [ID]",
		Short: "Revoke an API token by its id, or a user's tokens by name (--user U --name N)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			byName := user != "" || name != ""
			if byName == (len(args) == 1) || (byName && (user == "" || name == "")) {
				return app.Errorf(app.EINVALID, "give a token id, or both --user and --name")
			}
			return withAccounts(cmd, e, func(ctx context.Context, acc *accounts.Service) error {
				if byName {
					list, err := acc.RevokeTokensNamed(ctx, user, name)
					if err != nil {
						return err
					}
					return printTokens(e.stdout, acc, list)
				}
				id, err := strconv.ParseInt(args[0], 10, 64)
				if err != nil {
					return app.Errorf(app.EINVALID, "token id %q is not a number (see plaudit token list USERNAME)", args[0])
				}
				t, err := acc.RevokeToken(ctx, id)
				if err != nil {
					return err
				}
				return printTokens(e.stdout, acc, []app.APIToken{*t})
			})
		},
	}
	revoke.Flags().StringVar(&user, "user", "", "the user whose tokens called --name to revoke")
	revoke.Flags().StringVar(&name, "name", "", "the name of the tokens to revoke")
	return revoke
}

// printTokens writes one line per token under a header.
func printTokens(w io.Writer, acc *accounts.Service, list []app.APIToken) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSTATE\tSCOPES\tEXPIRES\tLAST USED")
	for i := range list {
		t := &list[i]
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, acc.TokenState(t), t.Scopes, optionalTime(t.ExpiresAt, "never"), optionalTime(t.LastUsedAt, "-"))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("print tokens: %w", err)
	}
	return nil
}

func optionalTime(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return t.UTC().Format(time.RFC3339)
}

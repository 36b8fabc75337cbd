package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

// runCLIResult runs the plaudit command in-process and returns its exit
// code, stdout and stderr.
func runCLIResult(t *testing.T, environ []string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errOut, environ)
	return code, out.String(), errOut.String()
}

// tokenLine matches a line of `token list`: id, name, state, scopes.
var tokenLine = regexp.MustCompile(`(?m)^(\d+)\s+(\S+)\s+(active|expired|revoked)\s+(.+?)\s+(\S+)\s+(\S+)$`)

type listedToken struct{ id, name, state, scopes, expires string }

func listTokens(t *testing.T, env []string, user string) []listedToken {
	t.Helper()
	out := runCLI(t, env, "", "token", "list", user)
	var list []listedToken
	for _, m := range tokenLine.FindAllStringSubmatch(out, -1) {
		list = append(list, listedToken{m[1], m[2], m[3], m[4], m[5]})
	}
	return list
}

func TestTokenCommands(t *testing.T) {
	env := configEnv(testConfig(t))
	runCLI(t, env, "", "migrate")
	runCLI(t, env, "a user password\n", "user", "create", "alice")
	runCLI(t, env, "an admin password\n", "user", "create", "root", "--admin")

	code, out, errOut := runCLIResult(t, env, "token", "create", "alice", "--name", "phone", "--scopes", "read:accounts,write:favourites", "--expires", "720h")
	if code != 0 || !strings.HasPrefix(out, "plt_") || !strings.Contains(errOut, `scopes "read:accounts write:favourites"`) {
		t.Fatalf("token create = %d, stdout %q, stderr %q", code, out, errOut)
	}
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"unknown scope":           {[]string{"--scopes", "read,bogus"}, `unknown scope "bogus"`},
		"admin scope for a user":  {[]string{"--scopes", "admin:read"}, "admin scopes are for admins only"},
		"zero lifetime":           {[]string{"--expires", "0s"}, "--expires 0s must be a positive duration"},
		"negative lifetime":       {[]string{"--expires", "-1h"}, "must be a positive duration"},
		"lifetime without a unit": {[]string{"--expires", "30"}, "expires"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errOut := runCLIResult(t, env, append([]string{"token", "create", "alice"}, tc.args...)...)
			if code == 0 || !strings.Contains(errOut, tc.want) {
				t.Fatalf("token create %v = exit %d, stderr %q; want a failure saying %q", tc.args, code, errOut, tc.want)
			}
		})
	}
	runCLI(t, env, "", "token", "create", "root", "--scopes", "admin:read admin:write")
	runCLI(t, env, "", "token", "create", "alice", "--name", "ci")
	runCLI(t, env, "", "token", "create", "alice", "--name", "ci")

	list := listTokens(t, env, "alice")
	if len(list) != 3 || list[0].name != "phone" || list[0].state != "active" || list[0].scopes != "read:accounts write:favourites" {
		t.Fatalf("token list alice = %+v, want phone, ci, ci", list)
	}
	if list[1].scopes != "read write follow" {
		t.Errorf("default scopes = %q, want read write follow", list[1].scopes)
	}

	out = runCLI(t, env, "", "token", "revoke", list[0].id)
	if !strings.Contains(out, "phone") || !strings.Contains(out, "revoked") {
		t.Fatalf("token revoke %s printed %q", list[0].id, out)
	}
	out = runCLI(t, env, "", "token", "revoke", "--user", "alice", "--name", "ci")
	if n := strings.Count(out, "revoked"); n != 2 {
		t.Fatalf("token revoke --user alice --name ci revoked %d tokens, want 2:\n%s", n, out)
	}
	for _, tok := range listTokens(t, env, "alice") {
		if tok.state != "revoked" {
			t.Errorf("alice's token %s is %s after revoking all, want revoked", tok.name, tok.state)
		}
	}
	if root := listTokens(t, env, "root"); len(root) != 1 || root[0].state != "active" || root[0].scopes != "admin:read admin:write" {
		t.Errorf("root's tokens = %+v, want one active admin token", root)
	}
	for name, args := range map[string][]string{
		"nothing named":     {"token", "revoke"},
		"id and name":       {"token", "revoke", "1", "--user", "alice", "--name", "ci"},
		"name without user": {"token", "revoke", "--name", "ci"},
		"not a number":      {"token", "revoke", "phone"},
		"unknown id":        {"token", "revoke", "9999"},
		"no such name left": {"token", "revoke", "--user", "alice", "--name", "ci"},
	} {
		if code, _, errOut := runCLIResult(t, env, args...); code == 0 {
			t.Errorf("%s: %v succeeded, want a failure (stderr %q)", name, args, errOut)
		}
	}
}

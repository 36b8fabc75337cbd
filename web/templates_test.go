package web

import (
	"strings"
	"testing"
)

// TestPagesCleanRemoteHTML renders the "remote_html" template of the real
// page set with hostile remote HTML: the safe markup stays, the rest goes.
func TestPagesCleanRemoteHTML(t *testing.T) {
	pages, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct{ in, want string }{
		"summary with a script": {
			`<p>I write <em>Go</em>.</p><script>fetch("/api/v1/me")</script>`,
			`<div class="remote-content"><p>I write <em>Go</em>.</p></div>`,
		},
		"content with an onerror image and a javascript: link": {
			`<p><img src=x onerror=alert(1)><a href="javascript:alert(1)">win</a> <a href="https://ok.example/a">read</a></p>`,
			`<div class="remote-content"><p>win <a href="https://ok.example/a" rel="nofollow noopener" target="_blank">read</a></p></div>`,
		},
		"styled overlay": {
			`<p style="position:fixed;inset:0">Your session expired, sign in again</p>`,
			`<div class="remote-content"><p>Your session expired, sign in again</p></div>`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			var b strings.Builder
			if err := pages.ExecuteTemplate(&b, "remote_html", tc.in); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != tc.want {
				t.Errorf("remote_html\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

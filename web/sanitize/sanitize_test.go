package sanitize_test

import (
	"html/template"
	"strings"
	"testing"

	"github.com/plaudit/plaudit/web/sanitize"
)

// dangerous are fragments that must never survive, in any case.
var dangerous = []string{"<script", "javascript:", "onerror", "onclick", "onload", "style", "<img", "<iframe", "<svg", "<object", "<form", "<input", "data:", "vbscript:", "<link", "<meta", "srcdoc", "expression("}

func TestHTML(t *testing.T) {
	for name, tc := range map[string]struct {
		in, want string
	}{
		"a Mastodon post keeps its markup": {
			`<p>Hello <span class="h-card"><a href="https://m.example/@bob" class="u-url mention">@<span>bob</span></a></span>, see <a href="https://m.example/tags/go" class="mention hashtag" rel="tag">#<span>go</span></a></p><p>line one<br>line two</p>`,
			`<p>Hello <span class="h-card"><a class="u-url mention" href="https://m.example/@bob" rel="nofollow noopener" target="_blank">@<span>bob</span></a></span>, see <a class="mention hashtag" href="https://m.example/tags/go" rel="nofollow noopener" target="_blank">#<span>go</span></a></p><p>line one<br/>line two</p>`,
		},
		"emphasis, lists, quotes and code": {
			`<strong>bold</strong> <em>it</em><ul><li>one</li></ul><ol><li>two</li></ol><blockquote>quoted</blockquote><pre><code>x := 1</code></pre>`,
			`<strong>bold</strong> <em>it</em><ul><li>one</li></ul><ol><li>two</li></ol><blockquote>quoted</blockquote><pre><code>x := 1</code></pre>`,
		},
		"script tag with its text": {
			`<p>hi</p><script>alert(document.cookie)</script>`,
			`<p>hi</p>`,
		},
		"script tag in mixed case": {
			`<ScRiPt src="https://evil.example/x.js"></sCrIpT>ok`,
			`ok`,
		},
		"javascript: link loses its href and tag": {
			`<a href="javascript:alert(1)">click</a>`,
			`click`,
		},
		"javascript: link with entities and spaces": {
			`<a href=" &#106;avascript:alert(1)">click</a><a href="JaVaScRiPt:alert(1)">again</a>`,
			`clickagain`,
		},
		"data: and vbscript: links": {
			`<a href="data:text/html;base64,PHNjcmlwdD4=">d</a><a href="vbscript:msgbox(1)">v</a>`,
			`dv`,
		},
		"image with onerror": {
			`<p><img src="x" onerror="alert(1)">after</p>`,
			`<p>after</p>`,
		},
		"event handlers on allowed elements": {
			`<p onclick="alert(1)" onmouseover="alert(2)">text</p><a href="https://ok.example/" onclick="steal()">link</a>`,
			`<p>text</p><a href="https://ok.example/" rel="nofollow noopener" target="_blank">link</a>`,
		},
		"style attribute and element": {
			`<p style="position:fixed;top:0;left:0;width:100%;height:100%">cover</p><style>body{display:none}</style>`,
			`<p>cover</p>`,
		},
		"classes other than Mastodon's dropped": {
			`<span class="error">fake alert</span><a href="https://ok.example/" class="brand">x</a>`,
			`<span>fake alert</span><a href="https://ok.example/" rel="nofollow noopener" target="_blank">x</a>`,
		},
		"relative links dropped": {
			`<a href="/logout">sign out</a>`,
			`sign out`,
		},
		"rel and target of the sender replaced": {
			`<a href="https://ok.example/" rel="opener" target="_self">x</a>`,
			`<a href="https://ok.example/" rel="nofollow noopener" target="_blank">x</a>`,
		},
		"iframes, forms, svg and meta": {
			`<iframe src="https://evil.example"></iframe><form action="https://evil.example"><input name="password"></form><svg onload="alert(1)"><circle/></svg><meta http-equiv="refresh" content="0;url=https://evil.example">left`,
			`left`,
		},
		"unclosed and broken markup": {
			`<p>open <strong>bold <a href="https://ok.example/">link`,
			`<p>open <strong>bold <a href="https://ok.example/" rel="nofollow noopener" target="_blank">link</a></strong></p>`,
		},
		"text is escaped": {
			`1 < 2 & "quotes"`,
			`1 &lt; 2 &amp; &#34;quotes&#34;`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			got := string(sanitize.HTML(tc.in))
			if got != tc.want {
				t.Errorf("HTML(%q)\n got %s\nwant %s", tc.in, got, tc.want)
			}
			lower := strings.ToLower(got)
			for _, d := range dangerous {
				if strings.Contains(lower, d) {
					t.Errorf("HTML(%q) = %s still holds %q", tc.in, got, d)
				}
			}
		})
	}
}

// TestFuncMap renders remote HTML through html/template with the function,
// as the pages do: the safe markup is kept, not escaped again.
func TestFuncMap(t *testing.T) {
	tmpl := template.Must(template.New("t").Funcs(sanitize.FuncMap()).Parse(`<div>{{remoteHTML .}}</div>`))
	var b strings.Builder
	if err := tmpl.Execute(&b, `<p>hi <em>there</em></p><script>alert(1)</script>`); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), `<div><p>hi <em>there</em></p></div>`; got != want {
		t.Fatalf("rendered %s, want %s", got, want)
	}
}

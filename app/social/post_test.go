package social_test

import (
	"testing"

	"github.com/plaudit/plaudit/app/social"
)

func TestTextToHTML(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"plain", "hello", "<p>hello</p>"},
		{"escaped", "<b>x</b> & y", "<p>&lt;b&gt;x&lt;/b&gt; &amp; y</p>"},
		{"paragraphs and lines", "one\ntwo\r\n\r\nthree", "<p>one<br>two</p><p>three</p>"},
		{"link", "see https://e.example/a?b=1&c=2 now", `<p>see <a href="https://e.example/a?b=1&amp;c=2" rel="nofollow noopener" target="_blank">https://e.example/a?b=1&amp;c=2</a> now</p>`},
		{"no javascript links", `javascript:alert(1) "https://x.example/"`, `<p>javascript:alert(1) &#34;<a href="https://x.example/" rel="nofollow noopener" target="_blank">https://x.example/</a>&#34;</p>`},
		{"blank", "  \n\n ", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := social.TextToHTML(tc.text); got != tc.want {
				t.Errorf("TextToHTML(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestParseID(t *testing.T) {
	for in, want := range map[string]int64{"12": 12, "": 0, "-3": 0, "x": 0, "1000000000000000007": 1000000000000000007} {
		if got := social.ParseID(in); got != want {
			t.Errorf("ParseID(%q) = %d, want %d", in, got, want)
		}
	}
}

package mentions

import "testing"

func TestWeight(t *testing.T) {
	for text, want := range map[string]struct {
		w  int
		ok bool
	}{
		"":                 {1, true},
		"@flattr great":    {1, true},
		"@flattr +3":       {3, true},
		"+10 so good":      {10, true},
		"+3!":              {3, true},
		"+0":               {0, false},
		"+11":              {11, false},
		"c++3 is a typo":   {1, true},
		"version 2+3":      {1, true},
		"@flattr +7, yes.": {7, true},
	} {
		w, ok := Weight(text)
		if w != want.w || ok != want.ok {
			t.Errorf("Weight(%q) = %d, %v; want %d, %v", text, w, ok, want.w, want.ok)
		}
	}
}

package as2

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// addFixtureSeeds adds every real-world fixture to the fuzz corpus, next to
// the seeds committed under testdata/fuzz.
func addFixtureSeeds(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// knownError reports whether err wraps one of the package's sentinel
// errors: every refusal must be one a caller can classify.
func knownError(err error) bool {
	for _, e := range []error{ErrMalformed, ErrNotObject, ErrTooDeep, ErrMissingID, ErrMissingType, ErrUnexpectedType} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func FuzzParseActivity(f *testing.F) {
	addFixtureSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseActivity(data)
		if err != nil {
			if !knownError(err) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if a.ID == "" || a.Type == "" {
			t.Fatalf("parsed without id or type: id=%q type=%q", a.ID, a.Type)
		}
		if !SameID(a.ID, a.ID) {
			t.Fatalf("SameID(%q, itself) is false", a.ID)
		}
		_ = a.ObjectID()
		_ = a.Public()
		if inner, err := a.ParsedActivity(); err == nil {
			_ = inner.ObjectID()
			_, _ = inner.ParsedObject()
		}
		_, _ = a.ParsedObject()
		_, _ = a.ParsedActor()
	})
}

func FuzzParseActor(f *testing.F) {
	addFixtureSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseActor(data)
		if err != nil {
			if !knownError(err) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if a.ID == "" || !IsActorType(a.Type) {
			t.Fatalf("parsed without id or actor type: id=%q type=%q", a.ID, a.Type)
		}
		if a.PublicKey.ID != "" {
			if _, ok := a.Key(a.PublicKey.ID); !ok {
				t.Fatalf("Key(%q) does not find the actor's own key", a.PublicKey.ID)
			}
		}
		_ = a.PaymentLinks()
	})
}

func FuzzNormalizeID(f *testing.F) {
	for _, s := range []string{
		"https://M.example:443/users/a#main-key", "http://x.example:80", "as:Public",
		"https://[::1]:443/a?b=c", "https://b.example/?author=1", "urn:uuid:1234", "%zz", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		n := NormalizeID(id)
		if again := NormalizeID(n); again != n {
			t.Fatalf("NormalizeID not idempotent: %q -> %q -> %q", id, n, again)
		}
		if SameID(id, id) == (strings.TrimSpace(id) == "") {
			t.Fatalf("SameID(%q, itself) = %v", id, SameID(id, id))
		}
	})
}

package httpsig

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSignatureHeader(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Params
		wantErr bool
	}{
		{
			name: "mastodon",
			in:   `keyId="https://m.example/users/a#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest content-type",signature="c2ln"`,
			want: Params{KeyID: "https://m.example/users/a#main-key", Algorithm: "rsa-sha256", Headers: []string{"(request-target)", "host", "date", "digest", "content-type"}, Signature: "c2ln"},
		},
		{
			name: "authorization scheme, blanks, bare numbers",
			in:   `Signature keyId = "k" , algorithm="hs2019", created=1402170695, expires="1402170699", headers="(request-target) (created) (expires)", signature="c2ln"`,
			want: Params{KeyID: "k", Algorithm: "hs2019", Created: 1402170695, Expires: 1402170699, Headers: []string{"(request-target)", "(created)", "(expires)"}, Signature: "c2ln"},
		},
		{
			name: "signature parameter first is not an auth scheme",
			in:   `signature="c2ln",keyId="k"`,
			want: Params{KeyID: "k", Signature: "c2ln"},
		},
		{
			name: "names in any case, headers lower-cased, unknown ignored",
			in:   `KEYID="k",Headers="Date HOST",foo="bar",Signature="c2ln",`,
			want: Params{KeyID: "k", Headers: []string{"date", "host"}, Signature: "c2ln"},
		},
		{
			name: "escaped quote",
			in:   `keyId="a\"b\\c",signature="c2ln"`,
			want: Params{KeyID: `a"b\c`, Signature: "c2ln"},
		},
		{
			name: "empty headers is absent",
			in:   `keyId="k",headers="  ",signature="c2ln"`,
			want: Params{KeyID: "k", Signature: "c2ln"},
		},
		{name: "empty", in: "", wantErr: true},
		{name: "no keyId", in: `signature="c2ln"`, wantErr: true},
		{name: "empty signature", in: `keyId="k",signature=""`, wantErr: true},
		{name: "unterminated quote", in: `keyId="k,signature="c2ln`, wantErr: true},
		{name: "repeated keyId", in: `keyId="k",keyId="evil",signature="c2ln"`, wantErr: true},
		{name: "repeated in other case", in: `keyId="k",keyid="evil",signature="c2ln"`, wantErr: true},
		{name: "bad created", in: `keyId="k",created="soon",signature="c2ln"`, wantErr: true},
		{name: "no equals", in: `keyId,signature="c2ln"`, wantErr: true},
		{name: "text after value", in: `keyId="k" x,signature="c2ln"`, wantErr: true},
		{name: "rfc 9421 syntax", in: `sig1=:c2ln:`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSignatureHeader(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrMalformedSignature) {
					t.Fatalf("error = %v, want ErrMalformedSignature (parsed %+v)", err, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParamsStringRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		p    Params
		want string
	}{
		{
			name: "full",
			p:    Params{KeyID: `k"1`, Algorithm: "hs2019", Headers: []string{"(request-target)", "(created)"}, Signature: "c2ln", Created: 5, Expires: 9},
			want: `keyId="k\"1",algorithm="hs2019",created=5,expires=9,headers="(request-target) (created)",signature="c2ln"`,
		},
		{
			name: "minimal",
			p:    Params{KeyID: "k", Signature: "c2ln"},
			want: `keyId="k",signature="c2ln"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.p.String()
			if s != tt.want {
				t.Errorf("String() = %s, want %s", s, tt.want)
			}
			back, err := ParseSignatureHeader(s)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.p, back); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzParseSignatureHeader checks the parser's promises on any input: no
// panic, a success has a keyId and a signature, and formatting what was
// parsed gives text that parses back to the same Params.
func FuzzParseSignatureHeader(f *testing.F) {
	f.Add(`keyId="https://m.example/users/a#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="c2ln"`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseSignatureHeader(s)
		if err != nil {
			if !errors.Is(err, ErrMalformedSignature) {
				t.Fatalf("error %v is not ErrMalformedSignature", err)
			}
			return
		}
		if p.KeyID == "" || p.Signature == "" {
			t.Fatalf("parsed %+v without keyId or signature", p)
		}
		for _, h := range p.Headers {
			if h == "" {
				t.Fatalf("empty header name in %q", p.Headers)
			}
		}
		formatted := p.String()
		back, err := ParseSignatureHeader(formatted)
		if err != nil {
			t.Fatalf("formatted %q does not parse: %v", formatted, err)
		}
		if diff := cmp.Diff(p, back); diff != "" {
			t.Fatalf("round trip of %q (-parsed +reparsed):\n%s", formatted, diff)
		}
	})
}

package web_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/web"
)

// TestTrustedProxies checks the client IP the server sees (the one the
// sign-in limits count): X-Forwarded-For and X-Real-IP are ignored unless
// the connection comes from a configured proxy. The test client connects
// from 127.0.0.1.
func TestTrustedProxies(t *testing.T) {
	for name, tc := range map[string]struct {
		trusted []string
		header  http.Header
		want    string
	}{
		"default, no header":                {nil, nil, "127.0.0.1"},
		"default, X-Forwarded-For ignored":  {nil, http.Header{"X-Forwarded-For": {"203.0.113.7"}}, "127.0.0.1"},
		"default, X-Real-IP ignored":        {nil, http.Header{"X-Real-Ip": {"203.0.113.7"}}, "127.0.0.1"},
		"empty list, X-Forwarded-For":       {[]string{}, http.Header{"X-Forwarded-For": {"203.0.113.7"}}, "127.0.0.1"},
		"other proxy, X-Forwarded-For":      {[]string{"10.0.0.0/8"}, http.Header{"X-Forwarded-For": {"203.0.113.7"}}, "127.0.0.1"},
		"trusted proxy IP, X-Forwarded-For": {[]string{"127.0.0.1"}, http.Header{"X-Forwarded-For": {"203.0.113.7"}}, "203.0.113.7"},
		"trusted proxy CIDR":                {[]string{"127.0.0.0/8"}, http.Header{"X-Forwarded-For": {"203.0.113.7"}}, "203.0.113.7"},
		"trusted proxy, chain":              {[]string{"127.0.0.1"}, http.Header{"X-Forwarded-For": {"198.51.100.1, 203.0.113.7"}}, "203.0.113.7"},
		"trusted proxy, no header":          {[]string{"127.0.0.1"}, nil, "127.0.0.1"},
	} {
		t.Run(name, func(t *testing.T) {
			s := newServer(t, nil, func(d *web.Deps, _ *accounts.Service, _ *store.Store) {
				d.TrustedProxies = tc.trusted
				d.Mount = []func(*gin.Engine){func(e *gin.Engine) {
					e.GET("/test/client-ip", func(c *gin.Context) { c.String(http.StatusOK, c.ClientIP()) })
				}}
			})
			_, got := s.do(t, "GET", "/test/client-ip", "", "", tc.header)
			if got != tc.want {
				t.Fatalf("client IP = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestBadTrustedProxyRefused(t *testing.T) {
	st := newServer(t, nil, nil)
	_, err := web.New(web.Deps{Accounts: st.accounts, BodyLimit: 1 << 20, TrustedProxies: []string{"not-an-ip"}})
	if err == nil {
		t.Fatal("web.New with a bad trusted proxy succeeded")
	}
}

package federation

import (
	"context"
	"net"
	"net/http"
)

type clientIPKey struct{}

// WithClientIP returns ctx carrying the client's IP address as the web
// layer determined it (from the connection, or from a trusted proxy's
// headers).
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

// ClientIP is the IP address of the client that sent r: the one the web
// layer put in its context, else the host of r.RemoteAddr.
func ClientIP(r *http.Request) string {
	if ip, ok := r.Context().Value(clientIPKey{}).(string); ok && ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

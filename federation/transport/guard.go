package transport

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// ErrForbiddenAddress is returned (wrapped, with the address) when a request
// would connect to an IP address the SSRF guard does not allow.
var ErrForbiddenAddress = errors.New("forbidden address")

// ErrForbiddenURL is returned (wrapped, with the reason) for a URL the client
// refuses before any connection: a scheme other than https (or http when
// allowed), userinfo, or no host.
var ErrForbiddenURL = errors.New("forbidden url")

// addrPolicy decides whether the address about to be dialed is allowed.
type addrPolicy func(netip.AddrPort) bool

// NewGuardedDialer returns a dialer (with the given connect timeout; 0 for
// none beyond the context's) that refuses, at dial time and after DNS
// resolution, every TCP connection whose IP address AllowedTarget rejects
// for allowPrivate. The refusal happens before connect(2), so nothing is
// sent to the address; the error wraps ErrForbiddenAddress. Use it for any
// HTTP client that fetches URLs supplied by remote parties, with Proxy unset
// (through a proxy the guard would only see the proxy's address).
func NewGuardedDialer(allowPrivate bool, timeout time.Duration) *net.Dialer {
	return newGuardedDialer(allowedFor(allowPrivate), timeout)
}

// allowedFor is the production policy: AllowedTarget, whatever the port.
func allowedFor(allowPrivate bool) addrPolicy {
	return func(ap netip.AddrPort) bool { return AllowedTarget(ap.Addr(), allowPrivate) }
}

func newGuardedDialer(allow addrPolicy, timeout time.Duration) *net.Dialer {
	return &net.Dialer{
		Timeout:   timeout,
		KeepAlive: 30 * time.Second,
		Control:   guardControl(allow),
	}
}

// guardControl returns a net.Dialer Control hook. address is the resolved
// "ip:port" the socket is about to connect to.
func guardControl(allow addrPolicy) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		switch network {
		case "tcp", "tcp4", "tcp6":
		default:
			return fmt.Errorf("%w: network %q not allowed", ErrForbiddenAddress, network)
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: cannot parse dial address %q", ErrForbiddenAddress, address)
		}
		if !allow(ap) {
			return fmt.Errorf("%w: %s is %s", ErrForbiddenAddress, ap.Addr(), Classify(ap.Addr()))
		}
		return nil
	}
}

// CheckURL returns an error wrapping ErrForbiddenURL unless u is an absolute
// https URL (or http when allowHTTP) with a host and without userinfo. It
// does not resolve or check the host's address: the dialer does that.
func CheckURL(u *url.URL, allowHTTP bool) error {
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowHTTP:
	default:
		return fmt.Errorf("%w: scheme %q not allowed", ErrForbiddenURL, u.Scheme)
	}
	if u.User != nil {
		return fmt.Errorf("%w: userinfo not allowed", ErrForbiddenURL)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("%w: no host", ErrForbiddenURL)
	}
	return nil
}

// parseURL parses raw and checks it with CheckURL.
func parseURL(raw string, allowHTTP bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrForbiddenURL, err)
	}
	if err := CheckURL(u, allowHTTP); err != nil {
		return nil, err
	}
	return u, nil
}

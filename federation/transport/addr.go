package transport

import "net/netip"

// AddrClass is the kind of network an IP address belongs to, as far as the
// SSRF guard is concerned. The zero value is Invalid and is never allowed.
type AddrClass int

// Address classes. Only Public addresses are reachable by default.
const (
	Invalid       AddrClass = iota // not a valid address
	Public                         // globally routable unicast
	Loopback                       // 127.0.0.0/8, ::1
	Private                        // RFC 1918, fc00::/7 ULA, deprecated fec0::/10, local-use NAT64
	LinkLocal                      // 169.254.0.0/16, fe80::/10
	CGNAT                          // 100.64.0.0/10 shared address space
	Unspecified                    // 0.0.0.0/8, ::
	Multicast                      // 224.0.0.0/4, ff00::/8
	Broadcast                      // 255.255.255.255
	Documentation                  // TEST-NET-1/2/3, 2001:db8::/32, 3fff::/20
	Reserved                       // everything else that is not globally reachable
)

var classNames = [...]string{
	Invalid:       "invalid",
	Public:        "public",
	Loopback:      "loopback",
	Private:       "private",
	LinkLocal:     "link-local",
	CGNAT:         "cgnat",
	Unspecified:   "unspecified",
	Multicast:     "multicast",
	Broadcast:     "broadcast",
	Documentation: "documentation",
	Reserved:      "reserved",
}

// String returns the class name, e.g. "loopback".
func (c AddrClass) String() string {
	if c < 0 || int(c) >= len(classNames) {
		return "unknown"
	}
	return classNames[c]
}

type classRange struct {
	prefix netip.Prefix
	class  AddrClass
}

func span(prefix string, class AddrClass) classRange {
	return classRange{netip.MustParsePrefix(prefix), class}
}

// v4Ranges are checked in order; the first match wins (so the broadcast
// address is found before 240.0.0.0/4).
var v4Ranges = []classRange{
	span("0.0.0.0/8", Unspecified),
	span("10.0.0.0/8", Private),
	span("100.64.0.0/10", CGNAT),
	span("127.0.0.0/8", Loopback),
	span("169.254.0.0/16", LinkLocal),
	span("172.16.0.0/12", Private),
	span("192.0.0.0/24", Reserved), // IETF protocol assignments
	span("192.0.2.0/24", Documentation),
	span("192.88.99.0/24", Reserved), // deprecated 6to4 relay anycast
	span("192.168.0.0/16", Private),
	span("198.18.0.0/15", Reserved), // benchmarking
	span("198.51.100.0/24", Documentation),
	span("203.0.113.0/24", Documentation),
	span("224.0.0.0/4", Multicast),
	span("255.255.255.255/32", Broadcast),
	span("240.0.0.0/4", Reserved),
}

// v6Ranges are checked in order after the special cases in classify6.
// Anything outside 2000::/3 (global unicast) that is not listed is Reserved.
var v6Ranges = []classRange{
	span("64:ff9b:1::/48", Private), // local-use NAT64 (RFC 8215)
	span("fc00::/7", Private),
	span("fec0::/10", Private), // deprecated site-local
	span("fe80::/10", LinkLocal),
	span("ff00::/8", Multicast),
	span("2001:db8::/32", Documentation),
	span("3fff::/20", Documentation),
	span("2001::/23", Reserved), // IETF protocol assignments: Teredo, benchmarking, ORCHID…
	span("2000::/3", Public),
}

var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
)

// Classify returns the class of ip. It is a pure function: it never touches
// the network. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d), NAT64
// (64:ff9b::/96) and 6to4 (2002::/16) addresses are classified by the IPv4
// address they embed. A zone (fe80::1%eth0) is ignored.
func Classify(ip netip.Addr) AddrClass {
	if !ip.IsValid() {
		return Invalid
	}
	ip = ip.WithZone("") // netip.Prefix.Contains is false for zoned addresses
	if ip.Is4In6() {
		ip = ip.Unmap()
	}
	if ip.Is4() {
		return lookup(v4Ranges, ip, Public)
	}
	return classify6(ip)
}

func classify6(ip netip.Addr) AddrClass {
	switch {
	case ip == netip.IPv6Unspecified():
		return Unspecified
	case ip == netip.IPv6Loopback():
		return Loopback
	case nat64Prefix.Contains(ip):
		b := ip.As16()
		return Classify(netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(ip):
		b := ip.As16()
		return Classify(netip.AddrFrom4([4]byte(b[2:6])))
	}
	return lookup(v6Ranges, ip, Reserved)
}

func lookup(ranges []classRange, ip netip.Addr, fallback AddrClass) AddrClass {
	for _, cr := range ranges {
		if cr.prefix.Contains(ip) {
			return cr.class
		}
	}
	return fallback
}

// AllowedTarget reports whether an outgoing connection to ip is allowed.
// Only Public addresses are, unless allowPrivate is set, in which case
// Loopback, Private, LinkLocal and CGNAT addresses are allowed too (for
// development and tests; note that link-local includes cloud metadata
// endpoints such as 169.254.169.254). Unspecified, Multicast, Broadcast,
// Documentation, Reserved and Invalid addresses are never allowed.
func AllowedTarget(ip netip.Addr, allowPrivate bool) bool {
	switch Classify(ip) {
	case Public:
		return true
	case Loopback, Private, LinkLocal, CGNAT:
		return allowPrivate
	default:
		return false
	}
}

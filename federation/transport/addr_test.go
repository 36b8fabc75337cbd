package transport

import (
	"net/netip"
	"testing"
)

// These tests only call pure functions: nothing here opens a connection.

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		ip   string
		want AddrClass
	}{
		{"public v4", "93.184.215.14", Public},
		{"public v4 google dns", "8.8.8.8", Public},
		{"just below 10/8", "9.255.255.255", Public},
		{"10/8 start", "10.0.0.0", Private},
		{"10/8 end", "10.255.255.255", Private},
		{"just above 10/8", "11.0.0.0", Public},
		{"172.16/12 start", "172.16.0.1", Private},
		{"172.16/12 end", "172.31.255.255", Private},
		{"below 172.16/12", "172.15.255.255", Public},
		{"above 172.16/12", "172.32.0.0", Public},
		{"192.168/16", "192.168.1.1", Private},
		{"192.169 is public", "192.169.0.1", Public},
		{"loopback", "127.0.0.1", Loopback},
		{"loopback other", "127.255.255.254", Loopback},
		{"link-local metadata", "169.254.169.254", LinkLocal},
		{"cgnat start", "100.64.0.0", CGNAT},
		{"cgnat end", "100.127.255.255", CGNAT},
		{"below cgnat", "100.63.255.255", Public},
		{"above cgnat", "100.128.0.0", Public},
		{"zero address", "0.0.0.0", Unspecified},
		{"this network", "0.1.2.3", Unspecified},
		{"multicast start", "224.0.0.1", Multicast},
		{"multicast end", "239.255.255.255", Multicast},
		{"broadcast", "255.255.255.255", Broadcast},
		{"class E", "240.0.0.1", Reserved},
		{"class E end", "255.255.255.254", Reserved},
		{"test-net-1", "192.0.2.10", Documentation},
		{"test-net-2", "198.51.100.7", Documentation},
		{"test-net-3", "203.0.113.99", Documentation},
		{"ietf protocol assignments", "192.0.0.8", Reserved},
		{"benchmarking start", "198.18.0.1", Reserved},
		{"benchmarking end", "198.19.255.255", Reserved},
		{"after benchmarking", "198.20.0.1", Public},
		{"6to4 relay anycast", "192.88.99.1", Reserved},

		{"public v6", "2606:4700::1111", Public},
		{"v6 unspecified", "::", Unspecified},
		{"v6 loopback", "::1", Loopback},
		{"ula fc", "fc00::1", Private},
		{"ula fd", "fd12:3456:789a::1", Private},
		{"site-local deprecated", "fec0::1", Private},
		{"v6 link-local", "fe80::1", LinkLocal},
		{"v6 link-local with zone", "fe80::1%eth0", LinkLocal},
		{"v6 multicast", "ff02::1", Multicast},
		{"v6 documentation", "2001:db8::1", Documentation},
		{"v6 documentation 3fff", "3fff:0:1::1", Documentation},
		{"teredo", "2001:0:4136:e378:8000:63bf:3fff:fdd2", Reserved},
		{"v4-compatible deprecated", "::10.0.0.1", Reserved},
		{"discard-only", "100::1", Reserved},
		{"outside 2000::/3", "4000::1", Reserved},

		{"mapped private", "::ffff:10.0.0.1", Private},
		{"mapped loopback", "::ffff:127.0.0.1", Loopback},
		{"mapped metadata", "::ffff:169.254.169.254", LinkLocal},
		{"mapped public", "::ffff:8.8.8.8", Public},
		{"nat64 private", "64:ff9b::10.0.0.1", Private},
		{"nat64 loopback", "64:ff9b::7f00:1", Loopback},
		{"nat64 metadata", "64:ff9b::a9fe:a9fe", LinkLocal},
		{"nat64 public", "64:ff9b::8.8.8.8", Public},
		{"nat64 local-use", "64:ff9b:1::a00:1", Private},
		{"6to4 private", "2002:c0a8:0101::1", Private},
		{"6to4 loopback", "2002:7f00:0001::", Loopback},
		{"6to4 unspecified", "2002::1", Unspecified},
		{"6to4 public", "2002:0808:0808::1", Public},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ip := netip.MustParseAddr(tt.ip)
			if got := Classify(ip); got != tt.want {
				t.Errorf("Classify(%s) = %s, want %s", tt.ip, got, tt.want)
			}
		})
	}
}

func TestClassifyInvalid(t *testing.T) {
	if got := Classify(netip.Addr{}); got != Invalid {
		t.Errorf("Classify(zero Addr) = %s, want invalid", got)
	}
	if AllowedTarget(netip.Addr{}, true) {
		t.Error("zero Addr allowed")
	}
}

func TestAllowedTarget(t *testing.T) {
	tests := []struct {
		ip          string
		strict, dev bool // allowed with allowPrivate false / true
	}{
		{"8.8.8.8", true, true},
		{"2606:4700::1111", true, true},
		{"::ffff:8.8.8.8", true, true},
		{"127.0.0.1", false, true},
		{"::1", false, true},
		{"10.1.2.3", false, true},
		{"::ffff:10.0.0.1", false, true},
		{"fd00::1", false, true},
		{"169.254.169.254", false, true},
		{"fe80::1", false, true},
		{"100.64.1.1", false, true},
		{"64:ff9b::10.0.0.1", false, true},
		{"0.0.0.0", false, false},
		{"::", false, false},
		{"224.0.0.1", false, false},
		{"ff02::1", false, false},
		{"255.255.255.255", false, false},
		{"192.0.2.1", false, false},
		{"2001:db8::1", false, false},
		{"240.0.0.1", false, false},
		{"198.18.0.1", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			ip := netip.MustParseAddr(tt.ip)
			if got := AllowedTarget(ip, false); got != tt.strict {
				t.Errorf("AllowedTarget(%s, false) = %t, want %t", tt.ip, got, tt.strict)
			}
			if got := AllowedTarget(ip, true); got != tt.dev {
				t.Errorf("AllowedTarget(%s, true) = %t, want %t", tt.ip, got, tt.dev)
			}
		})
	}
}

func TestAddrClassString(t *testing.T) {
	for c := Invalid; c <= Reserved; c++ {
		if s := c.String(); s == "" || s == "unknown" {
			t.Errorf("AddrClass(%d).String() = %q", int(c), s)
		}
	}
	if s := AddrClass(99).String(); s != "unknown" {
		t.Errorf("AddrClass(99).String() = %q, want unknown", s)
	}
}

func BenchmarkClassify(b *testing.B) {
	ips := []netip.Addr{
		netip.MustParseAddr("93.184.215.14"),
		netip.MustParseAddr("2606:4700::1111"),
		netip.MustParseAddr("::ffff:10.0.0.1"),
		netip.MustParseAddr("2002:c0a8:0101::1"),
	}
	for i := 0; b.Loop(); i++ {
		_ = Classify(ips[i%len(ips)])
	}
}

package transport_test

import (
	"fmt"
	"net/netip"

	"github.com/plaudit/plaudit/federation/transport"
)

func ExampleClassify() {
	for _, s := range []string{"8.8.8.8", "10.0.0.1", "::ffff:127.0.0.1", "64:ff9b::a9fe:a9fe", "2001:db8::1"} {
		ip := netip.MustParseAddr(s)
		fmt.Println(s, transport.Classify(ip), transport.AllowedTarget(ip, false))
	}
	// Output:
	// 8.8.8.8 public true
	// 10.0.0.1 private false
	// ::ffff:127.0.0.1 loopback false
	// 64:ff9b::a9fe:a9fe link-local false
	// 2001:db8::1 documentation false
}

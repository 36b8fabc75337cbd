package transport

import (
	"errors"
	"net/url"
	"testing"
)

// TestGuardControl calls the dialer's Control hook directly, as the dialer
// would just before connect(2); no socket is created.
func TestGuardControl(t *testing.T) {
	tests := []struct {
		name, network, address string
		allowPrivate           bool
		wantErr                bool
	}{
		{"public v4", "tcp4", "93.184.215.14:443", false, false},
		{"public v6", "tcp6", "[2606:4700::1111]:443", false, false},
		{"private", "tcp4", "10.0.0.1:443", false, true},
		{"private allowed in dev", "tcp4", "10.0.0.1:443", true, false},
		{"mapped private", "tcp6", "[::ffff:192.168.0.1]:80", false, true},
		{"loopback", "tcp4", "127.0.0.1:8080", false, true},
		{"metadata", "tcp4", "169.254.169.254:80", false, true},
		{"zoned link-local", "tcp6", "[fe80::1%eth0]:80", false, true},
		{"unspecified even in dev", "tcp4", "0.0.0.0:80", true, true},
		{"multicast even in dev", "tcp6", "[ff02::1]:80", true, true},
		{"udp refused", "udp4", "93.184.215.14:53", false, true},
		{"unix refused", "unix", "/run/docker.sock", true, true},
		{"unparsable", "tcp", "example.com:443", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			control := NewGuardedDialer(tt.allowPrivate, 0).Control
			err := control(tt.network, tt.address, nil)
			if tt.wantErr != (err != nil) {
				t.Fatalf("Control(%q, %q) = %v, want error %t", tt.network, tt.address, err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrForbiddenAddress) {
				t.Errorf("error %v does not wrap ErrForbiddenAddress", err)
			}
		})
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		raw       string
		allowHTTP bool
		ok        bool
	}{
		{"https://example.com/users/a", false, true},
		{"HTTPS://example.com/users/a", false, true},
		{"https://example.com:8443/x?y=1", false, true},
		{"http://example.com/users/a", false, false},
		{"http://example.com/users/a", true, true},
		{"ftp://example.com/x", true, false},
		{"file:///etc/passwd", true, false},
		{"gopher://example.com/", true, false},
		{"https://user@example.com/", false, false},
		{"https://user:pw@example.com/", false, false},
		{"https:///nohost", false, false},
		{"https:opaque", false, false},
		{"/relative/path", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			u, err := url.Parse(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			err = CheckURL(u, tt.allowHTTP)
			if tt.ok != (err == nil) {
				t.Fatalf("CheckURL(%q, %t) = %v, want ok %t", tt.raw, tt.allowHTTP, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrForbiddenURL) {
				t.Errorf("error %v does not wrap ErrForbiddenURL", err)
			}
		})
	}
}

func TestIsPermanentForGuardErrors(t *testing.T) {
	for _, err := range []error{ErrForbiddenAddress, ErrForbiddenURL} {
		if !IsPermanent(err) {
			t.Errorf("IsPermanent(%v) = false", err)
		}
	}
	for _, err := range []error{ErrTooLarge, ErrTooManyRedirects, errors.New("connection reset")} {
		if IsPermanent(err) {
			t.Errorf("IsPermanent(%v) = true", err)
		}
	}
}

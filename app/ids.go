package app

import (
	"net/url"
	"strings"
)

// SameID reports whether two ids name the same thing when compared as URLs:
// scheme and host are case-insensitive, a default port (https:443, http:80)
// is the same as none, an empty path is the same as "/". Path, query and
// fragment must match exactly (a "#main-key" is a different id from the
// actor). An empty id equals nothing, not even another empty id.
func SameID(a, b string) bool {
	if strings.TrimSpace(a) == "" || strings.TrimSpace(b) == "" {
		return false
	}
	return NormalizeID(a) == NormalizeID(b)
}

// NormalizeID returns id in the form SameID compares: lower-case scheme and
// host, no default port, "/" for an empty path on http(s). An id that does
// not parse as an absolute URL is returned trimmed but otherwise unchanged.
func NormalizeID(id string) string {
	id = strings.TrimSpace(id)
	u, err := url.Parse(id)
	if err != nil || u.Scheme == "" || u.Opaque != "" || u.Host == "" {
		return id
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	if u.Path == "" && u.RawPath == "" && (u.Scheme == "https" || u.Scheme == "http") {
		u.Path = "/"
	}
	return u.String()
}

// HostOf is the host (and port) of uri as written, or "" when uri is no
// URL.
func HostOf(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	return u.Host
}

// Package transport is the HTTP client Plaudit uses for every outgoing
// federation request: fetching remote actors and objects, and delivering
// activities to inboxes.
//
// Every connection passes an SSRF guard. URLs are checked before a request
// is made (scheme, userinfo), and the IP address actually dialed is checked
// at dial time, after DNS resolution, by the dialer's Control hook. Because
// the check runs on every dial it also covers redirects and DNS rebinding:
// a name that resolved to a public address a minute ago and now resolves to
// 10.0.0.1 is still refused, and no packet is sent to the refused address.
//
// Requests are signed through a RequestSigner (federation/httpsig implements
// it); the package itself knows nothing about keys or signature formats.
package transport

// Package discovery answers the questions other servers ask before they
// talk to Plaudit: who is acct:alice@host (WebFinger, RFC 7033), where is
// WebFinger (host-meta, RFC 6415) and what software runs here and does it
// settle flattrs (NodeInfo 2.0 and 2.1).
//
// Everything here is public: no endpoint requires a signature, and every
// one allows cross-origin reads (Access-Control-Allow-Origin: *), so web
// clients on other origins can look accounts up.
package discovery

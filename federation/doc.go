// Package federation holds the vocabulary Plaudit's ActivityPub packages
// share: the URLs of local actors and the queue that runs inbox processing
// and deliveries in the background. The work itself lives in the
// sub-packages: as2 (documents), httpsig (signatures), transport (HTTP
// client and SSRF guard), keys (local signing keys), dereference (fetching
// remote actors and objects), discovery (WebFinger, NodeInfo), actors
// (actor documents and collections), inbox, outbox and delivery.
package federation

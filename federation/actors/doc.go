// Package actors serves the ActivityPub documents of local actors: each
// user's Person at /users/{name} (JSON-LD for ActivityPub clients, the HTML
// profile for browsers), the instance actor (an Application at /actor),
// their followers, following and outbox collections, and the public
// activities and objects they published (/activities/{id}, /objects/{id}).
//
// Collections are paged by number: the collection links to ?page=1, and
// each OrderedCollectionPage to the next and previous page, newest item
// first.
//
// With authorized fetch on, collections, activities and objects answer only
// signed GETs (401 otherwise); actor documents stay public, since a server
// needs our keys to verify the signatures we send, including the signed
// fetches that authorized fetch asks of others.
package actors

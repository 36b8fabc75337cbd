// Package as2 converts ActivityStreams 2.0 documents, as ActivityPub servers
// send them, to and from Go values.
//
// Parsing is lenient in the ways real servers need: a property may be a
// string, an object or an array of either; "@context" may be anything;
// content may only be in "contentMap"; public addressing may be written
// "as:Public" or "Public". It is strict where a mistake would be costly:
// documents that are not JSON objects, that nest deeper than MaxDepth, or
// that lack an id or a type are refused with an error that wraps one of the
// Err* values below.
//
// The package does no JSON-LD processing: it reads the compacted form that
// every server in practice sends, with the ActivityStreams terms unprefixed.
// Limiting the size of a document is the caller's job.
//
// Builders (NewActivity, ActorDocument) produce Documents with the
// "@context" that Mastodon and others expect, so outgoing JSON is consistent.
package as2

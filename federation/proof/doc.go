// Package proof signs and verifies FEP-8b32 object integrity proofs: a
// DataIntegrityProof with the eddsa-jcs-2022 cryptosuite (W3C Data
// Integrity EdDSA Cryptosuites v1.0) embedded in the document it signs, so
// that a stored document can be checked later, off the wire, by anyone who
// can fetch the signer's key.
//
// The document and the proof configuration are canonicalized with JCS
// (RFC 8785), each hashed with SHA-256, and the two hashes, configuration
// first, signed with Ed25519. The signature is the proof's proofValue in
// multibase base58btc ("z…"). Keys are published as FEP-521a Multikeys in
// the actor's assertionMethod; the package reaches them only through a
// Resolver, so it does no HTTP itself.
package proof

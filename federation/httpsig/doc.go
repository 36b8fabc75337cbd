// Package httpsig signs outgoing ActivityPub requests and verifies incoming
// ones with HTTP Signatures as the fediverse speaks them: draft-cavage-12
// ("Signature: keyId=…,algorithm=…,headers=…,signature=…"), the scheme
// Mastodon, GoToSocial, Pleroma and Misskey exchange.
//
// A signature covers a list of headers. The signing string is one line per
// covered header, "name: value", joined by "\n"; the pseudo-header
// "(request-target)" stands for the lower-cased method and the path with its
// query ("post /users/a/inbox"). Plaudit signs POSTs over
// "(request-target) host date digest", where Digest is "SHA-256=" plus the
// base64 SHA-256 of the body, and GETs over "(request-target) host date",
// with RSA-SHA256 (PKCS #1 v1.5) and the actor's RSA-2048 key. The keyId is
// the URL of the actor's publicKey, which also names its owner.
//
// Verifying checks what the signature alone does not prove: that the headers
// that matter are covered ((request-target) and date always, digest when
// there is a body, host on GET), that Digest matches the body, that Date is
// fresh, and, once the signature holds, that it was not seen before. The key
// comes from a [KeyResolver]; when the signature does not verify with the
// cached key the resolver is asked once more for a fresh copy, since the
// sender may have rotated it.
//
// The cryptography is github.com/go-fed/httpsig. The scheme is one
// implementation of an internal interface so that RFC 9421 HTTP Message
// Signatures (the Signature-Input header) can be added beside it; until
// then such requests fail with [ErrUnsupportedScheme].
package httpsig

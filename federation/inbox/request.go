package inbox

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/plaudit/plaudit/federation/httpsig"
)

// jsonTypes are the Content-Types an activity may come with.
var jsonTypes = map[string]bool{
	"application/activity+json": true,
	"application/ld+json":       true,
	"application/json":          true,
}

// checkContentType accepts the JSON media types, parameters aside.
func checkContentType(r *http.Request) *refusal {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !jsonTypes[strings.ToLower(mt)] {
		return refuse(http.StatusUnsupportedMediaType, err, "content type must be application/activity+json or application/ld+json")
	}
	return nil
}

// readBody reads at most the body limit.
func (in *Inbox) readBody(r *http.Request) ([]byte, *refusal) {
	tooLarge := refuse(http.StatusRequestEntityTooLarge, nil, "body is larger than %d bytes", in.bodyLimit)
	if r.ContentLength > in.bodyLimit {
		return nil, tooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, in.bodyLimit+1))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, tooLarge
	case err != nil:
		return nil, refuse(http.StatusBadRequest, err, "could not read the body")
	case int64(len(body)) > in.bodyLimit:
		return nil, tooLarge
	}
	return body, nil
}

// signatureKeyID reads the keyId of the request's signature, unverified,
// for rate limiting, moderation and logs; "" when there is none.
func signatureKeyID(r *http.Request) string {
	v := r.Header.Get("Signature")
	if v == "" {
		v = r.Header.Get("Authorization")
		if !strings.HasPrefix(strings.ToLower(v), "signature ") {
			return ""
		}
	}
	p, err := httpsig.ParseSignatureHeader(v)
	if err != nil {
		return ""
	}
	return p.KeyID
}

package actors

import (
	"mime"
	"strconv"
	"strings"
)

// activityTypes are the media types that ask for JSON-LD: ActivityPub's
// own (application/activity+json, application/ld+json with the
// ActivityStreams profile) and the generic JSON ones clients also send.
var activityTypes = map[string]bool{
	"application/activity+json": true,
	"application/ld+json":       true,
	"application/json":          true,
}

// htmlTypes are the media types of a page.
var htmlTypes = map[string]bool{"text/html": true, "application/xhtml+xml": true}

// WantsActivityJSON tells whether an Accept header asks for the JSON-LD
// document rather than the HTML page: an ActivityPub media type is listed
// with a quality at least that of HTML. Wildcards count for neither, so a
// bare "*/*" gets the page.
func WantsActivityJSON(accept string) bool {
	var apQ, htmlQ float64
	for _, part := range strings.Split(accept, ",") {
		mediaType, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := quality(params["q"])
		switch {
		case activityTypes[mediaType]:
			apQ = max(apQ, q)
		case htmlTypes[mediaType]:
			htmlQ = max(htmlQ, q)
		}
	}
	return apQ > 0 && apQ >= htmlQ
}

// quality reads a q parameter: 1 when absent, 0 when unreadable.
func quality(s string) float64 {
	if s == "" {
		return 1
	}
	q, err := strconv.ParseFloat(s, 64)
	if err != nil || q < 0 || q > 1 {
		return 0
	}
	return q
}

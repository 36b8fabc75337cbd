package discovery

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation"
)

// Link relations and media types of WebFinger answers.
const (
	RelSelf        = "self"
	RelProfilePage = "http://webfinger.net/rel/profile-page"
	// ActivityJSON is the media type of the self link, as Mastodon expects.
	ActivityJSON = "application/activity+json"
	// JRDContentType is the WebFinger answer's content type.
	JRDContentType = "application/jrd+json; charset=utf-8"
)

// JRD is a WebFinger answer (RFC 7033 JSON Resource Descriptor).
type JRD struct {
	Subject string    `json:"subject,omitempty"`
	Aliases []string  `json:"aliases,omitempty"`
	Links   []JRDLink `json:"links"`
}

// JRDLink is one link of a JRD.
type JRDLink struct {
	Rel      string `json:"rel"`
	Type     string `json:"type,omitempty"`
	Href     string `json:"href,omitempty"`
	Template string `json:"template,omitempty"`
}

var (
	// errMalformed: the resource is not an acct: address or URL (400).
	errMalformed = errors.New("resource must be acct:user@host or an actor URL")
	// errNotHere: a well-formed resource that names no account here (404).
	errNotHere = errors.New("no such account on this server")
)

// target is what a resource names: a user, or the instance actor.
type target struct {
	username string
	instance bool
}

// ServeWebFinger answers GET /.well-known/webfinger?resource=…[&rel=…].
func (h *Handlers) ServeWebFinger(w http.ResponseWriter, r *http.Request) {
	resource := strings.TrimSpace(r.URL.Query().Get("resource"))
	if resource == "" {
		fail(w, http.StatusBadRequest, "the resource parameter is required")
		return
	}
	t, err := h.parseResource(resource)
	switch {
	case errors.Is(err, errMalformed):
		fail(w, http.StatusBadRequest, err.Error())
		return
	case err != nil:
		fail(w, http.StatusNotFound, err.Error())
		return
	}
	var jrd JRD
	if t.instance {
		jrd = h.instanceJRD()
	} else {
		u, err := h.deps.Users.UserByUsername(r.Context(), t.username)
		if app.ErrorCode(err) == app.ENOTFOUND {
			fail(w, http.StatusNotFound, errNotHere.Error())
			return
		}
		if err != nil {
			h.internalError(w, r, err)
			return
		}
		jrd = h.userJRD(u.Username)
	}
	jrd.Links = filterRels(jrd.Links, r.URL.Query()["rel"])
	w.Header().Set("Cache-Control", "max-age=3600, public")
	h.writeJSON(w, r, http.StatusOK, JRDContentType, jrd)
}

func (h *Handlers) userJRD(username string) JRD {
	u := h.deps.URLs
	return JRD{
		Subject: "acct:" + username + "@" + u.Host(),
		Aliases: []string{u.Actor(username), u.Profile(username)},
		Links: []JRDLink{
			{Rel: RelSelf, Type: ActivityJSON, Href: u.Actor(username)},
			{Rel: RelProfilePage, Type: "text/html", Href: u.Profile(username)},
		},
	}
}

// instanceJRD describes the instance actor: acct:instance.actor@host,
// whichever name it was asked by.
func (h *Handlers) instanceJRD() JRD {
	u := h.deps.URLs
	return JRD{
		Subject: u.InstanceAcct(),
		Aliases: []string{u.InstanceActor()},
		Links: []JRDLink{
			{Rel: RelSelf, Type: ActivityJSON, Href: u.InstanceActor()},
			{Rel: RelProfilePage, Type: "text/html", Href: u.Base()},
		},
	}
}

// filterRels keeps the links whose rel is among rels (RFC 7033 4.3), or
// all of them when no rel was asked for.
func filterRels(links []JRDLink, rels []string) []JRDLink {
	if len(rels) == 0 {
		return links
	}
	out := []JRDLink{}
	for _, l := range links {
		if slices.Contains(rels, l.Rel) {
			out = append(out, l)
		}
	}
	return out
}

// parseResource reads acct:alice@host, alice@host, @alice@host,
// acct:@alice@host, https://host/users/alice, https://host/@alice and
// https://host/actor, and acct:instance.actor@host for the instance actor.
// The instance actor's former name, acct:host@host (with the port, if the
// domain has one), still finds it, as Mastodon's old name does on
// Mastodon: servers may have stored that address.
func (h *Handlers) parseResource(resource string) (target, error) {
	lower := strings.ToLower(resource)
	switch {
	case strings.HasPrefix(lower, "acct:"):
		return h.parseAcct(resource[len("acct:"):])
	case strings.HasPrefix(lower, "https://"), strings.HasPrefix(lower, "http://"):
		return h.parseURL(resource)
	case strings.Contains(resource, "@") && !strings.Contains(resource, ":/"):
		return h.parseAcct(resource)
	}
	return target{}, errMalformed
}

func (h *Handlers) parseAcct(s string) (target, error) {
	s = strings.TrimPrefix(s, "@")
	at := strings.LastIndex(s, "@")
	if at <= 0 || at == len(s)-1 {
		return target{}, errMalformed
	}
	user, err := url.PathUnescape(s[:at])
	if err != nil {
		return target{}, errMalformed
	}
	host := s[at+1:]
	if !strings.EqualFold(host, h.deps.URLs.Host()) {
		return target{}, errNotHere
	}
	if strings.EqualFold(user, federation.InstanceActorUsername) || strings.EqualFold(user, host) {
		return target{instance: true}, nil
	}
	name, err := app.NormalizeUsername(user)
	if err != nil {
		return target{}, errNotHere
	}
	return target{username: name}, nil
}

func (h *Handlers) parseURL(s string) (target, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return target{}, errMalformed
	}
	if !strings.EqualFold(u.Host, h.deps.URLs.Host()) || u.RawQuery != "" || u.Fragment != "" {
		return target{}, errNotHere
	}
	path := strings.TrimSuffix(u.Path, "/")
	if path == "/actor" {
		return target{instance: true}, nil
	}
	name, ok := strings.CutPrefix(path, "/users/")
	if !ok {
		name, ok = strings.CutPrefix(path, "/@")
	}
	if !ok {
		return target{}, errNotHere
	}
	name, err = app.NormalizeUsername(name)
	if err != nil {
		return target{}, errNotHere
	}
	return target{username: name}, nil
}

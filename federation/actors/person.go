package actors

import (
	"html"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/as2"
)

// ServeActor answers GET /users/:name: the Person for ActivityPub clients, the
// profile page (Deps.HTML) for everyone else.
func (h *Handlers) ServeActor(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Vary", "Accept")
	if !WantsActivityJSON(r.Header.Get("Accept")) {
		if h.deps.HTML == nil {
			fail(w, http.StatusNotAcceptable, "this resource is available as application/activity+json")
			return
		}
		h.deps.HTML(w, r)
		return
	}
	u, ok := h.user(w, r)
	if !ok {
		return
	}
	w.Header().Set("Cache-Control", "max-age=180, public")
	h.writeStatus(w, r, http.StatusOK, h.Person(u))
}

// Person returns the actor document of a local user, as served at
// /users/{name} (and embedded in Update activities when the profile
// changes).
func (h *Handlers) Person(u *app.User) as2.Document {
	name := u.Username
	doc := as2.ActorDocument(as2.ActorSpec{
		ID:                        h.urls.Actor(name),
		Type:                      "Person",
		PreferredUsername:         name,
		Name:                      u.DisplayName,
		Summary:                   SummaryHTML(u.Summary),
		URL:                       h.urls.Profile(name),
		Inbox:                     h.urls.Inbox(name),
		Outbox:                    h.urls.Outbox(name),
		Followers:                 h.urls.Followers(name),
		Following:                 h.urls.Following(name),
		SharedInbox:               h.urls.SharedInbox(),
		PublicKeyID:               h.urls.KeyID(name),
		PublicKeyPEM:              u.PublicKeyPEM,
		IconURL:                   u.IconURL,
		IconMediaType:             imageType(u.IconURL),
		ManuallyApprovesFollowers: u.ManuallyApprovesFollowers,
		Discoverable:              u.Discoverable,
		AlsoKnownAs:               strings.Fields(u.AlsoKnownAs),
		Attachments:               []as2.Attachment{as2.PaymentLink(federation.PaymentLinkName, h.urls.FlattrPage(h.urls.Actor(name)))},
		Published:                 u.CreatedAt,
	})
	return as2.WithAttributionDomains(doc, strings.Fields(u.AttributionDomains))
}

// SummaryHTML turns a profile's plain-text summary into the HTML that
// ActivityPub's summary holds: escaped, a paragraph per blank-line-separated
// block, line breaks kept.
func SummaryHTML(text string) string {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if text == "" {
		return ""
	}
	var b strings.Builder
	for _, para := range strings.Split(text, "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		lines := strings.Split(para, "\n")
		for i, l := range lines {
			lines[i] = html.EscapeString(strings.TrimSpace(l))
		}
		b.WriteString("<p>" + strings.Join(lines, "<br>") + "</p>")
	}
	return b.String()
}

// imageType guesses an image's media type from its URL's extension, or "".
func imageType(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return ""
	}
	t := mime.TypeByExtension(strings.ToLower(path.Ext(u.Path)))
	if !strings.HasPrefix(t, "image/") {
		return ""
	}
	return t
}

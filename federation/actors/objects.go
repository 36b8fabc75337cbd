package actors

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// objectActivities are the activities that carry a local object: the newest
// tells what the object is now (created, updated or deleted).
var objectActivities = []string{"Create", "Update", "Delete"}

// ServeActivity answers GET /activities/:id with a local, public activity as
// stored; anything else is 404.
func (h *Handlers) ServeActivity(w http.ResponseWriter, r *http.Request) {
	a, err := h.deps.Activities.ActivityByURI(r.Context(), h.urls.Activity(r.PathValue("id")))
	if err == nil && a.Local && !a.Public && a.Type == "Like" {
		// A flattr's Like goes to one server; that server may fetch it
		// (a statement names a Like it never received).
		h.SignedAlways(func(w http.ResponseWriter, r *http.Request) { h.serveAddressed(w, r, a) })(w, r)
		return
	}
	if app.ErrorCode(err) == app.ENOTFOUND || (err == nil && (!a.Local || !a.Public)) {
		fail(w, http.StatusNotFound, "no such activity")
		return
	}
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	if !json.Valid([]byte(a.Document)) {
		h.internalError(w, r, app.Errorf(app.EINTERNAL, "activity %s has invalid JSON", a.URI))
		return
	}
	writeDocument(w, http.StatusOK, []byte(a.Document))
}

// ServeObject answers GET /objects/:id with the object embedded in the newest
// public Create or Update of it by a local actor, 410 Gone with a Tombstone
// once it was deleted, 404 otherwise.
func (h *Handlers) ServeObject(w http.ResponseWriter, r *http.Request) {
	id := h.urls.Object(r.PathValue("id"))
	a, err := h.deps.Activities.LatestLocalObjectActivity(r.Context(), id, objectActivities)
	if app.ErrorCode(err) == app.ENOTFOUND || (err == nil && !a.Public) {
		fail(w, http.StatusNotFound, "no such object")
		return
	}
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	if a.Type == "Delete" {
		h.writeStatus(w, r, http.StatusGone, tombstone(id, a.CreatedAt))
		return
	}
	obj, ok := embeddedObject(a.Document, id)
	if !ok {
		fail(w, http.StatusNotFound, "no such object")
		return
	}
	h.writeStatus(w, r, http.StatusOK, obj)
}

// embeddedObject returns the object embedded in an activity document if its
// id is id, with the activity's @context, which embedded objects share.
func embeddedObject(document, id string) (as2.Document, bool) {
	var act map[string]any
	if err := json.Unmarshal([]byte(document), &act); err != nil {
		return nil, false
	}
	obj, ok := act["object"].(map[string]any)
	if !ok || !as2.SameID(as2.IDOf(obj), id) {
		return nil, false
	}
	if _, has := obj["@context"]; !has {
		ctx := act["@context"]
		if ctx == nil {
			ctx = as2.ActivityStreamsContext
		}
		obj["@context"] = ctx
	}
	return as2.Document(obj), true
}

func tombstone(id string, deleted time.Time) as2.Document {
	return as2.Document{
		"@context": as2.ActivityStreamsContext, "id": id, "type": "Tombstone",
		"deleted": deleted.UTC().Format(time.RFC3339),
	}
}

func (h *Handlers) writeStatus(w http.ResponseWriter, r *http.Request, status int, doc as2.Document) {
	body, err := doc.Marshal()
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	writeDocument(w, status, body)
}

// serveAddressed serves a non-public activity to a signer on the server
// of one of its addressees; anyone else gets 404.
func (h *Handlers) serveAddressed(w http.ResponseWriter, r *http.Request, a *app.Activity) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(a.Document), &doc); err != nil {
		h.internalError(w, r, app.Errorf(app.EINTERNAL, "activity %s has invalid JSON", a.URI))
		return
	}
	signer := hostOf(Signer(r))
	for _, field := range []string{"to", "cc"} {
		for _, to := range as2.IDsOf(doc[field]) {
			if signer != "" && hostOf(to) == signer {
				writeDocument(w, http.StatusOK, []byte(a.Document))
				return
			}
		}
	}
	fail(w, http.StatusNotFound, "no such activity")
}

func hostOf(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

package actors

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// objectActivities are the activities that carry a local object: the newest
// tells what the object is now (created, updated or deleted).
var objectActivities = []string{"Create", "Update", "Delete"}

// activity answers GET /activities/:id with a local, public activity as
// stored; anything else is 404.
func (h *Handlers) activity(c *gin.Context) {
	a, err := h.deps.Store.ActivityByURI(c.Request.Context(), h.urls.Activity(c.Param("id")))
	if app.ErrorCode(err) == app.ENOTFOUND || (err == nil && (!a.Local || !a.Public)) {
		fail(c, http.StatusNotFound, "no such activity")
		return
	}
	if err != nil {
		h.internalError(c, err)
		return
	}
	if !json.Valid([]byte(a.Document)) {
		h.internalError(c, app.Errorf(app.EINTERNAL, "activity %s has invalid JSON", a.URI))
		return
	}
	writeDocument(c, http.StatusOK, []byte(a.Document))
}

// object answers GET /objects/:id with the object embedded in the newest
// public Create or Update of it by a local actor, 410 Gone with a Tombstone
// once it was deleted, 404 otherwise.
func (h *Handlers) object(c *gin.Context) {
	id := h.urls.Object(c.Param("id"))
	a, err := h.deps.Store.LatestLocalObjectActivity(c.Request.Context(), id, objectActivities)
	if app.ErrorCode(err) == app.ENOTFOUND || (err == nil && !a.Public) {
		fail(c, http.StatusNotFound, "no such object")
		return
	}
	if err != nil {
		h.internalError(c, err)
		return
	}
	if a.Type == "Delete" {
		h.writeStatus(c, http.StatusGone, tombstone(id, a.CreatedAt))
		return
	}
	obj, ok := embeddedObject(a.Document, id)
	if !ok {
		fail(c, http.StatusNotFound, "no such object")
		return
	}
	h.writeStatus(c, http.StatusOK, obj)
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

func (h *Handlers) writeStatus(c *gin.Context, status int, doc as2.Document) {
	body, err := doc.Marshal()
	if err != nil {
		h.internalError(c, err)
		return
	}
	writeDocument(c, status, body)
}

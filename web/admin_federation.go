package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

// Moderation manages admins' blocks (implemented by app/moderation.Service).
type Moderation interface {
	BlockDomain(ctx context.Context, domain, severity, reason string) (*app.DomainBlock, error)
	UnblockDomain(ctx context.Context, domain string) error
	DomainBlocks(ctx context.Context) ([]app.DomainBlock, error)
	BlockActor(ctx context.Context, actorURI, reason string) error
	UnblockActor(ctx context.Context, actorURI string) error
	ActorBlocks(ctx context.Context) ([]app.ActorBlock, error)
}

// Deliveries shows and retries federation deliveries (implemented by
// federation/delivery.Deliverer).
type Deliveries interface {
	ByState(ctx context.Context, state string, limit int) ([]app.Delivery, error)
	Retry(ctx context.Context, id int64) (*app.Delivery, error)
}

type domainBlockJSON struct {
	Domain    string `json:"domain"`
	Severity  string `json:"severity"`
	Reason    string `json:"reason"`
	CreatedAt string `json:"created_at,omitempty"`
}

type actorBlockJSON struct {
	Actor     string `json:"actor"`
	Reason    string `json:"reason"`
	CreatedAt string `json:"created_at,omitempty"`
}

type deliveryJSON struct {
	ID            int64   `json:"id"`
	ActivityID    int64   `json:"activity_id"`
	Inbox         string  `json:"inbox"`
	Host          string  `json:"host"`
	State         string  `json:"state"`
	Attempts      int     `json:"attempts"`
	NextAttemptAt string  `json:"next_attempt_at"`
	LastStatus    int     `json:"last_status"`
	LastError     string  `json:"last_error"`
	CreatedAt     string  `json:"created_at"`
	UpdatedAt     string  `json:"updated_at"`
	DeliveredAt   *string `json:"delivered_at"`
}

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func toDeliveryJSON(d *app.Delivery) deliveryJSON {
	out := deliveryJSON{
		ID: d.ID, ActivityID: d.ActivityID, Inbox: d.Inbox, Host: d.Host, State: d.State, Attempts: d.Attempts,
		NextAttemptAt: formatTime(d.NextAttemptAt), LastStatus: d.LastStatus, LastError: d.LastError,
		CreatedAt: formatTime(d.CreatedAt), UpdatedAt: formatTime(d.UpdatedAt),
	}
	if d.DeliveredAt != nil {
		t := formatTime(*d.DeliveredAt)
		out.DeliveredAt = &t
	}
	return out
}

// bindJSON decodes the request body into v; a body that is not the JSON
// object expected is app.EINVALID.
func bindJSON(c *gin.Context, v any) error {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return readError(err)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &app.Error{Code: app.EINVALID, Message: "the body must be a JSON object", Err: err}
	}
	return nil
}

func (s *Server) listDomainBlocks(c *gin.Context) {
	blocks, err := s.deps.Moderation.DomainBlocks(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]domainBlockJSON, 0, len(blocks))
	for _, b := range blocks {
		out = append(out, domainBlockJSON{b.Domain, b.Severity, b.Reason, formatTime(b.CreatedAt)})
	}
	c.JSON(http.StatusOK, out)
}

// blockDomain blocks {domain, severity, reason}; severity defaults to reject.
func (s *Server) blockDomain(c *gin.Context) {
	var in domainBlockJSON
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	if in.Severity == "" {
		in.Severity = app.BlockReject
	}
	b, err := s.deps.Moderation.BlockDomain(c.Request.Context(), in.Domain, in.Severity, in.Reason)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, domainBlockJSON{b.Domain, b.Severity, b.Reason, formatTime(b.CreatedAt)})
}

func (s *Server) unblockDomain(c *gin.Context) {
	if err := s.deps.Moderation.UnblockDomain(c.Request.Context(), c.Param("domain")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) listActorBlocks(c *gin.Context) {
	blocks, err := s.deps.Moderation.ActorBlocks(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]actorBlockJSON, 0, len(blocks))
	for _, b := range blocks {
		out = append(out, actorBlockJSON{b.ActorURI, b.Reason, formatTime(b.CreatedAt)})
	}
	c.JSON(http.StatusOK, out)
}

// blockActor blocks {actor, reason}.
func (s *Server) blockActor(c *gin.Context) {
	var in actorBlockJSON
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.deps.Moderation.BlockActor(c.Request.Context(), in.Actor, in.Reason); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, actorBlockJSON{Actor: in.Actor, Reason: in.Reason})
}

// unblockActor lifts the block of ?actor=URI, or of {actor} in the body.
func (s *Server) unblockActor(c *gin.Context) {
	actor := c.Query("actor")
	if actor == "" && c.Request.ContentLength != 0 {
		var in actorBlockJSON
		if err := bindJSON(c, &in); err != nil {
			s.fail(c, err)
			return
		}
		actor = in.Actor
	}
	if actor == "" {
		s.fail(c, app.Errorf(app.EINVALID, "name the actor: ?actor=URI or {\"actor\": URI}"))
		return
	}
	if err := s.deps.Moderation.UnblockActor(c.Request.Context(), actor); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// listDeliveries lists deliveries in ?state= (default dead: the dead
// letters), at most ?limit= (default 100).
func (s *Server) listDeliveries(c *gin.Context) {
	state := c.DefaultQuery("state", app.DeliveryDead)
	limit, err := strconv.Atoi(c.DefaultQuery("limit", "100"))
	if err != nil {
		s.fail(c, app.Errorf(app.EINVALID, "limit must be a number"))
		return
	}
	list, err := s.deps.Deliveries.ByState(c.Request.Context(), state, limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]deliveryJSON, 0, len(list))
	for i := range list {
		out = append(out, toDeliveryJSON(&list[i]))
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) retryDelivery(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.fail(c, app.Errorf(app.EINVALID, "delivery id must be a number"))
		return
	}
	d, err := s.deps.Deliveries.Retry(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toDeliveryJSON(d))
}

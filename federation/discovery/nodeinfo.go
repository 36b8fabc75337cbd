package discovery

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// NodeInfo schema relations and the content types of their documents.
const (
	NodeInfoRel20 = "http://nodeinfo.diaspora.software/ns/schema/2.0"
	NodeInfoRel21 = "http://nodeinfo.diaspora.software/ns/schema/2.1"
	nodeInfoType  = `application/json; profile="%s#"`
)

// ProtocolVersion is the version of Plaudit's flattr protocol this server
// speaks, announced in NodeInfo metadata.
const ProtocolVersion = 2

// flattrsNote tells readers of the metadata what a flattr is here.
const flattrsNote = "Like activities with Plaudit weight terms (https://w3id.org/plaudit#), paid out monthly and settled between instances by signed statements; see docs/federation.md#flattrs"

// settles is what metadata.plaudit.settles announces: this server pays out
// the flattrs sent to its users and settles them with the sender's server
// through monthly statements to its instance actor (instanceActor, whose
// inbox is instanceInbox).
const settles = true

// Activity windows of NodeInfo's activeMonth and activeHalfyear.
const (
	month    = 30 * 24 * time.Hour
	halfyear = 180 * 24 * time.Hour
)

// NodeInfo is a NodeInfo 2.0 or 2.1 document.
type NodeInfo struct {
	Version           string   `json:"version"`
	Software          Software `json:"software"`
	Protocols         []string `json:"protocols"`
	Services          Services `json:"services"`
	OpenRegistrations bool     `json:"openRegistrations"`
	Usage             Usage    `json:"usage"`
	Metadata          Metadata `json:"metadata"`
}

// Software names the server software; Repository and Homepage exist from
// schema 2.1 on.
type Software struct {
	Name       string `json:"name"`
	Version    string `json:"version"`
	Repository string `json:"repository,omitempty"`
	Homepage   string `json:"homepage,omitempty"`
}

// Services lists third-party services the node talks to: none.
type Services struct {
	Inbound  []string `json:"inbound"`
	Outbound []string `json:"outbound"`
}

// Usage is NodeInfo's usage statistics.
type Usage struct {
	Users      UsageUsers `json:"users"`
	LocalPosts int64      `json:"localPosts"`
}

// UsageUsers counts local users: all of them, and those active in the
// last 30 and 180 days.
type UsageUsers struct {
	Total          int64 `json:"total"`
	ActiveMonth    int64 `json:"activeMonth"`
	ActiveHalfyear int64 `json:"activeHalfyear"`
}

// Metadata is NodeInfo's free-form metadata, with Plaudit's own block.
type Metadata struct {
	NodeName string      `json:"nodeName"`
	Plaudit  PlauditInfo `json:"plaudit"`
}

// PlauditInfo tells other Plaudit servers whether this one settles
// flattrs (pays out, in Currency, the Likes sent to its users), which
// version of the flattr protocol it speaks, and the instance actor that
// exchanges statements.
type PlauditInfo struct {
	Settles         bool   `json:"settles"`
	ProtocolVersion int    `json:"protocolVersion"`
	Currency        string `json:"currency"`
	Flattrs         string `json:"flattrs"`
	// InstanceActor sends and receives statements; InstanceInbox is its
	// inbox.
	InstanceActor string `json:"instanceActor"`
	InstanceInbox string `json:"instanceInbox"`
}

type nodeInfoLink struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

// ServeNodeInfoLinks answers GET /.well-known/nodeinfo.
func (h *Handlers) ServeNodeInfoLinks(w http.ResponseWriter, r *http.Request) {
	base := h.deps.URLs.Base()
	w.Header().Set("Cache-Control", "max-age=86400, public")
	h.writeJSON(w, r, http.StatusOK, "application/json; charset=utf-8", map[string]any{"links": []nodeInfoLink{
		{Rel: NodeInfoRel21, Href: base + "/nodeinfo/2.1"},
		{Rel: NodeInfoRel20, Href: base + "/nodeinfo/2.0"},
	}})
}

func (h *Handlers) ServeNodeInfo21(w http.ResponseWriter, r *http.Request) {
	h.serveNodeInfo(w, r, "2.1", NodeInfoRel21)
}

func (h *Handlers) ServeNodeInfo20(w http.ResponseWriter, r *http.Request) {
	h.serveNodeInfo(w, r, "2.0", NodeInfoRel20)
}

func (h *Handlers) serveNodeInfo(w http.ResponseWriter, r *http.Request, version, schema string) {
	usage, err := h.currentUsage(r.Context())
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	info := h.nodeInfo(version, usage)
	w.Header().Set("Cache-Control", "max-age=1800, public")
	h.writeJSON(w, r, http.StatusOK, fmt.Sprintf(nodeInfoType, schema), info)
}

// nodeInfo builds the document; schema 2.0 has no software links.
func (h *Handlers) nodeInfo(version string, usage Usage) NodeInfo {
	sw := Software{Name: "plaudit", Version: h.deps.Version}
	if version != "2.0" {
		sw.Repository, sw.Homepage = h.deps.Repository, h.deps.Homepage
	}
	return NodeInfo{
		Version:           version,
		Software:          sw,
		Protocols:         []string{"activitypub"},
		Services:          Services{Inbound: []string{}, Outbound: []string{}},
		OpenRegistrations: h.deps.SignupOpen,
		Usage:             usage,
		Metadata: Metadata{
			NodeName: h.deps.NodeName,
			Plaudit: PlauditInfo{
				Settles: settles, ProtocolVersion: ProtocolVersion, Currency: h.deps.Currency, Flattrs: flattrsNote,
				InstanceActor: h.deps.URLs.InstanceActor(), InstanceInbox: h.deps.URLs.InstanceInbox(),
			},
		},
	}
}

// currentUsage returns the usage counts, from the cache while it is fresh:
// crawlers fetch NodeInfo often and the counts need not be exact.
func (h *Handlers) currentUsage(ctx context.Context) (Usage, error) {
	now := h.deps.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.usageHeld && h.deps.UsageTTL > 0 && now.Sub(h.usageAt) < h.deps.UsageTTL {
		return h.usage, nil
	}
	u, err := h.countUsage(ctx, now)
	if err != nil {
		return Usage{}, err
	}
	h.usage, h.usageAt, h.usageHeld = u, now, true
	return u, nil
}

func (h *Handlers) countUsage(ctx context.Context, now time.Time) (Usage, error) {
	var (
		u   Usage
		err error
	)
	prefix := h.deps.URLs.Actor("")
	if u.Users.Total, err = h.deps.Users.CountUsers(ctx); err != nil {
		return Usage{}, fmt.Errorf("nodeinfo usage: %w", err)
	}
	if u.Users.ActiveMonth, err = h.deps.Activities.CountActiveUsers(ctx, now.Add(-month), prefix); err != nil {
		return Usage{}, fmt.Errorf("nodeinfo usage: %w", err)
	}
	if u.Users.ActiveHalfyear, err = h.deps.Activities.CountActiveUsers(ctx, now.Add(-halfyear), prefix); err != nil {
		return Usage{}, fmt.Errorf("nodeinfo usage: %w", err)
	}
	if u.LocalPosts, err = h.deps.Activities.CountLocalPosts(ctx); err != nil {
		return Usage{}, fmt.Errorf("nodeinfo usage: %w", err)
	}
	return u, nil
}

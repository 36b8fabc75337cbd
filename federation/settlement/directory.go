package settlement

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/plaudit/plaudit/app"
)

// Directory finds out from a server's NodeInfo whether it is a Plaudit
// server that settles flattrs, in which currency, and who its instance
// actor is (app/settlement.Directory).
type Directory struct{ get Getter }

// NewDirectory returns a Directory that fetches through get.
func NewDirectory(get Getter) *Directory { return &Directory{get: get} }

const (
	nodeInfo21 = "http://nodeinfo.diaspora.software/ns/schema/2.1"
	nodeInfo20 = "http://nodeinfo.diaspora.software/ns/schema/2.0"
)

// Lookup implements app/settlement.Directory. A server that is no
// Plaudit server is a peer that does not settle (no error).
func (d *Directory) Lookup(ctx context.Context, base string) (*app.Peer, error) {
	b, err := url.Parse(base)
	if err != nil || b.Host == "" {
		return nil, app.Errorf(app.EINVALID, "%q is no server address", base)
	}
	resp, err := d.get.Get(ctx, base+"/.well-known/nodeinfo", "application/json")
	if err != nil {
		return nil, fmt.Errorf("nodeinfo of %s: %w", b.Host, err)
	}
	var links struct {
		Links []struct{ Rel, Href string } `json:"links"`
	}
	if err := json.Unmarshal(resp.Body, &links); err != nil {
		return nil, app.Errorf(app.EINVALID, "nodeinfo links of %s: %v", b.Host, err)
	}
	href := ""
	for _, rel := range []string{nodeInfo21, nodeInfo20} {
		for _, l := range links.Links {
			if l.Rel == rel && href == "" {
				href = l.Href
			}
		}
	}
	if href == "" {
		return &app.Peer{}, nil
	}
	if h, err := url.Parse(href); err != nil || !strings.EqualFold(h.Host, b.Host) {
		return nil, app.Errorf(app.EINVALID, "the nodeinfo of %s is on another server (%s)", b.Host, href)
	}
	resp, err = d.get.Get(ctx, href, "application/json")
	if err != nil {
		return nil, fmt.Errorf("nodeinfo of %s: %w", b.Host, err)
	}
	var info struct {
		Software struct{ Name string } `json:"software"`
		Metadata struct {
			Plaudit struct {
				Settles         bool   `json:"settles"`
				ProtocolVersion int    `json:"protocolVersion"`
				Currency        string `json:"currency"`
				InstanceActor   string `json:"instanceActor"`
				InstanceInbox   string `json:"instanceInbox"`
			} `json:"plaudit"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(resp.Body, &info); err != nil {
		return nil, app.Errorf(app.EINVALID, "nodeinfo of %s: %v", b.Host, err)
	}
	p := info.Metadata.Plaudit
	peer := &app.Peer{Settles: p.Settles, ProtocolVersion: p.ProtocolVersion, Currency: strings.ToUpper(p.Currency)}
	// The instance actor and its inbox must be on the server itself.
	for _, u := range []string{p.InstanceActor, p.InstanceInbox} {
		if h, err := url.Parse(u); err != nil || !strings.EqualFold(h.Host, b.Host) {
			peer.Settles = false
			return peer, nil
		}
	}
	peer.InstanceActor, peer.Inbox = p.InstanceActor, p.InstanceInbox
	return peer, nil
}

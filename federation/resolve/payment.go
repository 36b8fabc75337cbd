package resolve

import (
	"encoding/json"
	"strings"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// maxPaymentLinks bounds the payment links kept of one document.
const maxPaymentLinks = 16

// PaymentLinksOf reads the payment links an actor or object document
// publishes: FEP-0ea0 (attachment Links with rel "payment"), Web
// Monetization's monetization property (a wallet address or a list of
// them), and PeerTube's support text.
func PaymentLinksOf(doc []byte) []app.PaymentLink {
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		return nil
	}
	var out []app.PaymentLink
	if o, err := as2.ParseObject(doc); err == nil {
		for _, a := range o.Attachments {
			if a.IsPaymentLink() {
				out = append(out, app.PaymentLink{Kind: app.PaymentFEP0ea0, Href: a.Href, Name: a.Name})
			}
		}
	}
	for _, w := range monetization(m["monetization"]) {
		out = append(out, app.PaymentLink{Kind: app.PaymentMonetization, Href: w})
	}
	if s, ok := m["support"].(string); ok && strings.TrimSpace(s) != "" {
		out = append(out, app.PaymentLink{Kind: app.PaymentSupport, Name: clip(strings.TrimSpace(s), 1000)})
	}
	if len(out) > maxPaymentLinks {
		out = out[:maxPaymentLinks]
	}
	return out
}

// monetization reads Web Monetization's property: a wallet address
// string, an object with an id or href, or a list of those.
func monetization(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		if w := wallet(x); w != "" {
			out = append(out, w)
		}
	case map[string]any:
		for _, k := range []string{"id", "href", "walletAddress"} {
			if s, ok := x[k].(string); ok && wallet(s) != "" {
				return []string{wallet(s)}
			}
		}
	case []any:
		for _, e := range x {
			out = append(out, monetization(e)...)
		}
	}
	return out
}

// wallet normalises a wallet address or payment pointer ($host/path).
func wallet(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "$") {
		s = "https://" + strings.TrimPrefix(s, "$")
	}
	if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		return ""
	}
	return s
}

// AttributesDomain tells whether the actor document lists host (or a
// domain host is under) in attributionDomains.
func AttributesDomain(doc, host string) bool {
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		return false
	}
	host = strings.ToLower(strings.Split(host, ":")[0])
	var list []any
	switch v := m["attributionDomains"].(type) {
	case string:
		list = []any{v}
	case []any:
		list = v
	}
	for _, e := range list {
		d, ok := e.(string)
		d = strings.ToLower(strings.Split(strings.TrimSpace(d), ":")[0])
		if ok && d != "" && (host == d || strings.HasSuffix(host, "."+d)) {
			return true
		}
	}
	return false
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

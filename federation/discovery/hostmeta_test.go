package discovery_test

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"

	"github.com/plaudit/plaudit/federation/discovery"
)

func TestHostMeta(t *testing.T) {
	e := newEnv(t, "https://plaudit.example", nil)
	w := e.do(t, http.MethodGet, "/.well-known/host-meta", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/xrd+xml; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if !strings.HasPrefix(w.Body.String(), "<?xml") {
		t.Errorf("no XML declaration: %s", w.Body)
	}
	var doc struct {
		XMLName xml.Name
		Links   []struct {
			Rel      string `xml:"rel,attr"`
			Template string `xml:"template,attr"`
		} `xml:"Link"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatalf("parse %s: %v", w.Body, err)
	}
	if doc.XMLName.Space != "http://docs.oasis-open.org/ns/xri/xrd-1.0" || doc.XMLName.Local != "XRD" {
		t.Errorf("root element %v", doc.XMLName)
	}
	want := "https://plaudit.example/.well-known/webfinger?resource={uri}"
	if len(doc.Links) != 1 || doc.Links[0].Rel != "lrdd" || doc.Links[0].Template != want {
		t.Errorf("links %+v, want one lrdd with template %s", doc.Links, want)
	}
	if w.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Error("no CORS header")
	}
}

func TestHostMetaJSON(t *testing.T) {
	e := newEnv(t, "https://plaudit.example", nil)
	w := e.do(t, http.MethodGet, "/.well-known/host-meta.json", nil)
	var got discovery.JRD
	mustDecode(t, w, &got)
	if len(got.Links) != 1 || got.Links[0].Template != "https://plaudit.example/.well-known/webfinger?resource={uri}" {
		t.Errorf("host-meta.json = %s", w.Body)
	}
}

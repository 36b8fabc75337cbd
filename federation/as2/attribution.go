package as2

// WithAttributionDomains adds Mastodon's attributionDomains to an actor
// document (with its term in the context): the domains whose pages may
// name the actor as their creator with <meta name="fediverse:creator">.
// No domains leave the document as it is.
func WithAttributionDomains(d Document, domains []string) Document {
	if len(domains) == 0 {
		return d
	}
	d["attributionDomains"] = append([]string(nil), domains...)
	return d.AddContext(map[string]any{
		"toot":               TootNamespace,
		"attributionDomains": map[string]any{"@id": "toot:attributionDomains", "@type": "@id"},
	})
}

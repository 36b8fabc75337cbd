package transport

// WithSigner returns a copy of c that signs its requests with s (nil: sends
// them unsigned) and is otherwise identical: it shares c's http.Client, and
// so its connection pool and SSRF guard, its limits and its logger. Delivery
// keeps one Client for the process and calls WithSigner once per request, as
// each activity is signed by the key of the actor that sent it. Creating the
// copy allocates one small struct and opens nothing.
//
// Pass a nil interface, not a typed nil pointer, to send unsigned requests.
func (c *Client) WithSigner(s RequestSigner) *Client {
	cp := *c
	cp.signer = s
	return &cp
}

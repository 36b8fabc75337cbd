package federation

import "net/url"

// FlattrPage is the page where people flattr the thing or actor uri: the
// target of the FEP-0ea0 payment link every local actor and object
// carries.
func (u URLs) FlattrPage(uri string) string { return u.base + "/flattr?url=" + url.QueryEscape(uri) }

// PaymentLinkName names the payment link of local actors and objects.
const PaymentLinkName = "Flattr"

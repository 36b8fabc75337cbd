package as2

import "encoding/json"

// LikeNeedsApproval tells whether the object doc says, with GoToSocial's
// interactionPolicy, that its server approves Likes by hand: a canLike
// policy whose automatic approval (automaticApproval, or always in older
// versions) does not include the Public collection. An object without a
// policy lets anyone like it.
func LikeNeedsApproval(doc json.RawMessage) bool {
	f, err := decodeFields(doc)
	if err != nil {
		return false
	}
	policy, ok := f.value("interactionPolicy").(map[string]any)
	if !ok {
		return false
	}
	canLike, ok := policy["canLike"].(map[string]any)
	if !ok {
		return false
	}
	for _, key := range []string{"automaticApproval", "always"} {
		if AnyPublic(IDsOf(canLike[key])) {
			return false
		}
	}
	return true
}

package as2_test

import (
	"fmt"

	"github.com/plaudit/plaudit/federation/as2"
)

func ExampleParseActivity() {
	body := []byte(`{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id": "https://mastodon.example/users/alice#likes/1/undo",
		"type": "Undo",
		"actor": "https://mastodon.example/users/alice",
		"object": {
			"id": "https://mastodon.example/users/alice#likes/1",
			"type": "Like",
			"actor": "https://mastodon.example/users/alice",
			"object": "https://plaudit.example/things/7"
		}
	}`)
	undo, err := as2.ParseActivity(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	like, err := undo.ParsedActivity()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(undo.Type, like.Type, like.ObjectID())
	// Output: Undo Like https://plaudit.example/things/7
}

func ExampleNewActivity() {
	follow := as2.NewActivity("https://plaudit.example/users/carol/follows/1", "Follow",
		"https://plaudit.example/users/carol", "https://mastodon.example/users/alice")
	data, _ := follow.Marshal()
	fmt.Println(string(data))
	// Output: {"@context":"https://www.w3.org/ns/activitystreams","actor":"https://plaudit.example/users/carol","id":"https://plaudit.example/users/carol/follows/1","object":"https://mastodon.example/users/alice","type":"Follow"}
}

func ExampleSameID() {
	fmt.Println(as2.SameID("https://Mastodon.Example:443/users/alice", "https://mastodon.example/users/alice"))
	fmt.Println(as2.SameID("https://mastodon.example/users/alice#main-key", "https://mastodon.example/users/alice"))
	// Output:
	// true
	// false
}

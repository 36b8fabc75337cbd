package as2

import "testing"

func BenchmarkParseActivity(b *testing.B) {
	data := mustReadFixture(b, "mastodon_create_note.json")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		a, err := ParseActivity(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := a.ParsedObject(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseActor(b *testing.B) {
	data := mustReadFixture(b, "mastodon_actor.json")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseActor(data); err != nil {
			b.Fatal(err)
		}
	}
}

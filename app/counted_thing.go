package app

// CountedThing is a thing with its counts of one month, as public pages
// list it.
type CountedThing struct {
	Thing
	Counts ThingCounts
}

package web

import "github.com/plaudit/plaudit/app"

// Chart geometry, in SVG user units: one row per bar, the label above
// the bar, the bar scaled to barMax for the largest value.
const (
	chartWidth = 320
	barMax     = 240
	rowHeight  = 36
)

// barChart is a horizontal bar chart drawn by the "bar_chart" template as
// inline SVG, next to a table of the same figures.
type barChart struct {
	ID      string // unique on the page: ids of the title and description
	Title   string
	Summary string // one sentence that says what the chart shows
	Width   int
	Height  int
	Bars    []bar
}

// bar is one row of a barChart.
type bar struct {
	Label  string
	Value  string // the amount, formatted
	Y      int    // top of the row
	Width  int    // of the bar, at least 1 so that a row is never empty
	TextX  int    // where the value is written
	LabelY int
	BarY   int
}

// amountBar is a label and an amount before it is scaled.
type amountBar struct {
	Label  string
	Amount app.Money
}

// newBarChart scales bars to the largest amount, in integers: the chart
// is a picture of the money, the table beside it the exact figures.
func newBarChart(id, title, summary, locale string, bars []amountBar) barChart {
	var top int64
	for _, b := range bars {
		top = max(top, b.Amount.Minor)
	}
	ch := barChart{ID: id, Title: title, Summary: summary, Width: chartWidth, Height: max(1, len(bars)) * rowHeight}
	for i, b := range bars {
		w := 1
		if top > 0 && b.Amount.Minor > 0 {
			w = max(1, int(b.Amount.Minor*barMax/top))
		}
		y := i * rowHeight
		ch.Bars = append(ch.Bars, bar{
			Label: b.Label, Value: b.Amount.Format(locale), Y: y, Width: w, TextX: w + 6, LabelY: y + 12, BarY: y + 16,
		})
	}
	return ch
}

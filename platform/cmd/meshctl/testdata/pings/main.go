// Command pings is the domain binary of meshctl's tests: one event with a
// field of every contract type, for the CSV export and replay round trip.
package main

import (
	"embed"
	"math"
	"os"

	"github.com/meshterious/warehouse/platform/domainkit"
	"github.com/meshterious/warehouse/platform/produce"
)

//go:embed domain.yaml contracts/*.json
var files embed.FS

// notes are the optional note values: absent, and text CSV must quote.
var notes = []string{"", "plain", `say "hi", then leave`, "two\nlines", "é ü"}

func ping(c *produce.Context) map[string]any {
	ev := map[string]any{
		"ref":    c.Rand.UUID().String(),
		"day":    c.Time.AddDate(0, 0, -c.Rand.IntN(30)).Format("2006-01-02"),
		"n":      int64(c.Rand.IntN(2001) - 1000),
		"amount": []float64{c.Rand.Float64() * 1000, 0.1, 1e-7, 12345678.9, -0.5, 3}[c.Rand.IntN(6)],
		"ok":     c.Rand.Bool(0.5),
	}
	if a := ev["amount"].(float64); a > 100 {
		ev["amount"] = math.Round(a*100) / 100 // money-like
	}
	if note := notes[c.Rand.IntN(len(notes))]; note != "" {
		ev["note"] = note
	}
	return ev
}

func main() {
	os.Exit(domainkit.Main(domainkit.MustLoad(files, map[string]produce.Generator{"pings": ping})))
}

package produce

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/meshterious/warehouse/platform/gen"
)

// Regions produced side by side each count their own events from 1: a state
// shared between regions would count them together.
func TestPerRegionKeepsOneStatePerRegion(t *testing.T) {
	type counter struct {
		region string
		n      int
	}
	var made []string
	var madeMu sync.Mutex
	g := PerRegion(func(region string) *counter {
		madeMu.Lock()
		defer madeMu.Unlock()
		made = append(made, region)
		return &counter{region: region}
	}, func(s *counter, c *Context) map[string]any {
		s.n++
		return map[string]any{"region": s.region, "n": s.n}
	})

	regions := gen.Regions()
	const perRegion = 500
	last := make([]map[string]any, len(regions))
	var wg sync.WaitGroup
	for i, r := range regions {
		wg.Go(func() {
			for range perRegion {
				last[i] = g(&Context{Region: r})
			}
		})
	}
	wg.Wait()

	assert.Len(t, made, len(regions), "one state per region, made once")
	for i, r := range regions {
		assert.Equal(t, map[string]any{"region": r.Name, "n": perRegion}, last[i])
	}
}

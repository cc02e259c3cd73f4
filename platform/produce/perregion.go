package produce

import "sync"

// PerRegion returns a Generator that keeps one state per region: newState
// makes a region's state on its first event, and generate makes every event
// of that region from it. A generator that remembers what it generated (a
// stock book, the journeys under way) needs this: regions are produced
// concurrently, and a state shared between them would make a region's history
// depend on goroutine scheduling. A region's events are generated in
// sequence, so a state needs no lock of its own.
func PerRegion[S any](newState func(region string) S, generate func(state S, c *Context) map[string]any) Generator {
	var (
		mu     sync.Mutex
		states = map[string]S{}
	)
	return func(c *Context) map[string]any {
		mu.Lock()
		s, ok := states[c.Region.Name]
		if !ok {
			s = newState(c.Region.Name)
			states[c.Region.Name] = s
		}
		mu.Unlock()
		return generate(s, c)
	}
}

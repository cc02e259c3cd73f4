package ingest

// recentSet is a bounded set of strings that forgets the oldest entries first.
type recentSet struct {
	ids  map[string]struct{}
	ring []string
	next int
}

func newRecentSet(capacity int) *recentSet {
	// The map grows as ids arrive: a window sized for the worst case costs
	// nothing until it is needed.
	return &recentSet{ids: make(map[string]struct{}), ring: make([]string, capacity)}
}

func (s *recentSet) Has(id string) bool {
	_, ok := s.ids[id]
	return ok
}

func (s *recentSet) Add(id string) {
	if _, ok := s.ids[id]; ok || len(s.ring) == 0 {
		return
	}
	if old := s.ring[s.next]; old != "" {
		delete(s.ids, old)
	}
	s.ring[s.next] = id
	s.ids[id] = struct{}{}
	s.next = (s.next + 1) % len(s.ring)
}

func (s *recentSet) Len() int { return len(s.ids) }

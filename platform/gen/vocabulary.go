package gen

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// Weighted is one value of a vocabulary with its relative weight.
type Weighted struct {
	Value  string
	Weight float64
}

// Vocabulary is a weighted categorical variable defined by a domain, e.g. the
// sales channels web/mobile/store/marketplace with their shares. Build it with
// NewVocabulary, NewWeightedVocabulary or MustVocabulary; the zero value is
// empty.
type Vocabulary struct {
	Name    string
	Values  []string
	Weights []float64 // relative, > 0; need not sum to 1

	cum []float64 // cumulative weights, for Pick
}

// NewVocabulary returns a vocabulary from alternating values and weights:
//
//	gen.NewVocabulary("channel", "web", 0.5, "mobile", 0.3, "store", 0.15, "marketplace", 0.05)
//
// A value is a string; a weight is a float64 or an int. It fails (wrapping
// ErrInvalidVocabulary) on an odd number of arguments, a value or weight of
// another type, no values, an empty or repeated value, or a weight that is not
// a finite number > 0.
func NewVocabulary(name string, pairs ...any) (Vocabulary, error) {
	if len(pairs)%2 != 0 {
		return Vocabulary{}, fmt.Errorf("%w: %s: want value, weight pairs, got %d arguments", ErrInvalidVocabulary, name, len(pairs))
	}
	values := make([]Weighted, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		v, ok := pairs[i].(string)
		if !ok {
			return Vocabulary{}, fmt.Errorf("%w: %s: argument %d must be a string value, got %T", ErrInvalidVocabulary, name, i, pairs[i])
		}
		var w float64
		switch x := pairs[i+1].(type) {
		case float64:
			w = x
		case int:
			w = float64(x)
		default:
			return Vocabulary{}, fmt.Errorf("%w: %s: weight of %q must be a float64 or int, got %T", ErrInvalidVocabulary, name, v, pairs[i+1])
		}
		values = append(values, Weighted{Value: v, Weight: w})
	}
	return NewWeightedVocabulary(name, values...)
}

// NewWeightedVocabulary is NewVocabulary with typed value, weight pairs.
func NewWeightedVocabulary(name string, values ...Weighted) (Vocabulary, error) {
	if len(values) == 0 {
		return Vocabulary{}, fmt.Errorf("%w: %s has no values", ErrInvalidVocabulary, name)
	}
	v := Vocabulary{Name: name}
	sum := 0.0
	for _, w := range values {
		switch {
		case w.Value == "":
			return Vocabulary{}, fmt.Errorf("%w: %s has an empty value", ErrInvalidVocabulary, name)
		case slices.Contains(v.Values, w.Value):
			return Vocabulary{}, fmt.Errorf("%w: %s lists %q twice", ErrInvalidVocabulary, name, w.Value)
		case !(w.Weight > 0) || math.IsInf(w.Weight, 0):
			return Vocabulary{}, fmt.Errorf("%w: %s: weight of %q must be a finite number > 0, got %v", ErrInvalidVocabulary, name, w.Value, w.Weight)
		}
		sum += w.Weight
		v.Values = append(v.Values, w.Value)
		v.Weights = append(v.Weights, w.Weight)
		v.cum = append(v.cum, sum)
	}
	return v, nil
}

// MustVocabulary is NewVocabulary for package-level variables: it panics on
// error.
func MustVocabulary(name string, pairs ...any) Vocabulary {
	v, err := NewVocabulary(name, pairs...)
	if err != nil {
		panic(err)
	}
	return v
}

// Pick returns a value chosen with probability proportional to its weight,
// drawing one Float64 from r. It panics on an empty vocabulary.
func (v Vocabulary) Pick(r *Rand) string {
	cum := v.cum
	if len(cum) != len(v.Values) { // built as a literal: compute on the fly
		cum = make([]float64, len(v.Weights))
		sum := 0.0
		for i, w := range v.Weights {
			sum += w
			cum[i] = sum
		}
	}
	u := r.Float64() * cum[len(cum)-1]
	i := sort.Search(len(cum), func(i int) bool { return cum[i] > u })
	return v.Values[min(i, len(v.Values)-1)]
}

// Contains reports whether s is one of the values.
func (v Vocabulary) Contains(s string) bool { return slices.Contains(v.Values, s) }

// Probability returns the share of draws that value s gets (0 if absent).
func (v Vocabulary) Probability(s string) float64 {
	i := slices.Index(v.Values, s)
	if i < 0 {
		return 0
	}
	sum := 0.0
	for _, w := range v.Weights {
		sum += w
	}
	return v.Weights[i] / sum
}

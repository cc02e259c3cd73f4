// Package gen is the toolkit of the event generators: deterministic random
// numbers, sales regions with real bounding boxes, weighted vocabularies and
// seasonality profiles.
//
// # Determinism
//
// A generator's output is a function of its flags. The default seed of a
// generator is DefaultSeed(domain, event), the FNV-1a 64 hash of
// "<domain>/<event>", and every random draw comes from a Rand built with
// NewRand(seed, stream) (a math/rand/v2 PCG). The stream is the run number:
// the same seed and stream give byte-identical events, and another stream
// gives unrelated ones, so run 2 never re-emits the event ids of run 1. Event
// ids are version 4 UUIDs drawn from the Rand (Rand.UUID), never from
// crypto/rand.
//
// Determinism also requires drawing in a fixed order: iterate over slices,
// never over maps, when drawing per item.
//
// # Regions and vocabularies
//
// Regions returns the four sales regions (us-east, us-west, eu-central,
// ap-southeast) with bounding boxes, IANA time zones and demand weights;
// Region.Point draws a customer location inside a box. A Vocabulary is a
// weighted categorical value (channels, priorities, currencies) that a domain
// defines once and both its generator (Pick) and its checks (Contains) use.
//
// # Seasonality
//
// DailyProfile and WeeklyProfile are multipliers around 1.0 (mean exactly 1)
// of warehouse order volume by local hour and weekday, for generating history
// with a realistic shape: rate = base * DailyProfile(h) * WeeklyProfile(d).
package gen

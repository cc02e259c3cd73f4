package gen

import "time"

// Relative order volume by local hour of day, before normalization: quiet
// nights, a morning ramp, a lunch peak and the evening peak of online orders.
var dailyRaw = [24]float64{
	0.30, 0.20, 0.15, 0.12, 0.12, 0.18, // 00-05
	0.35, 0.60, 0.90, 1.15, 1.30, 1.40, // 06-11
	1.55, 1.45, 1.35, 1.30, 1.35, 1.45, // 12-17
	1.60, 1.75, 1.80, 1.55, 1.05, 0.60, // 18-23
}

// Relative order volume by weekday (Sunday first), before normalization.
var weeklyRaw = [7]float64{0.85, 1.10, 1.05, 1.00, 1.00, 1.05, 0.95}

var (
	daily  = normalize(dailyRaw[:])
	weekly = normalize(weeklyRaw[:])
)

func normalize(xs []float64) []float64 {
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x * float64(len(xs)) / sum
	}
	return out
}

// DailyProfile returns the multiplier of warehouse order volume at the given
// local hour (taken modulo 24); its mean over the 24 hours is exactly 1.
func DailyProfile(hour int) float64 { return daily[((hour%24)+24)%24] }

// WeeklyProfile returns the multiplier of order volume on the given weekday;
// its mean over the week is exactly 1. Mondays are busiest, Sundays quietest.
func WeeklyProfile(wd time.Weekday) float64 { return weekly[((int(wd)%7)+7)%7] }

// PromoCycleDays and PromoLengthDays shape the promotion calendar every domain
// shares: a PromoLengthDays-long sale at the start of each cycle.
const (
	PromoCycleDays  = 21
	PromoLengthDays = 2
	// PromoLift is how much busier a promotion day is than a normal one.
	PromoLift = 2.5
)

// IsPromoDay reports whether t falls on a promotion day of the shared
// calendar. It depends on the date alone, so every producer agrees.
func IsPromoDay(t time.Time) bool {
	days := t.UTC().Unix() / 86400
	return days%PromoCycleDays < PromoLengthDays
}

// PromoProfile is the demand multiplier of the promotion calendar.
func PromoProfile(t time.Time) float64 {
	if IsPromoDay(t) {
		return PromoLift
	}
	return 1
}

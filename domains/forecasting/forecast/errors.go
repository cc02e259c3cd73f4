package forecast

import "errors"

// Sentinel errors. Functions wrap them with detail (fmt.Errorf("%w: ...")), so
// callers branch with errors.Is.
var (
	// ErrInvalidSeries reports a series with no values, a non-finite value,
	// or promotion flags of another length than its values.
	ErrInvalidSeries = errors.New("forecast: invalid series")
	// ErrShortHistory reports a history too short for a model or a backtest origin.
	ErrShortHistory = errors.New("forecast: history too short")
	// ErrHorizon reports a forecast horizon below 1.
	ErrHorizon = errors.New("forecast: invalid horizon")
	// ErrCovariates reports future covariates that do not cover the horizon.
	ErrCovariates = errors.New("forecast: covariates do not cover the horizon")
	// ErrConfig reports an invalid model or backtest configuration; the
	// message names the field.
	ErrConfig = errors.New("forecast: invalid configuration")
	// ErrInput reports invalid arguments to a metric, stockout or leaderboard
	// function (mismatched lengths, negative variances, ...).
	ErrInput = errors.New("forecast: invalid input")
)

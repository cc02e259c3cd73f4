// Package forecast is the numerical core of demand forecasting: daily
// demand per product x region, four models behind one interface, a
// rolling-origin backtest, the M5 metrics, a leaderboard, and the stockout
// risk of a product in a warehouse. It is pure Go with no I/O; linear
// algebra, optimisation and distributions come from gonum.
//
// # Series and models
//
// A Series is a daily series with a start date (so every day has a weekday)
// and, optionally, a promotion flag per day: a covariate known in advance. A
// Model fits a panel of histories and returns one Fitted per series;
// Fitted.Forecast(h, future) forecasts the h days after the history, future
// carrying the promotion flags of those days. A Forecast holds, per day, the
// mean, a predictive variance and the central 80% and 95% intervals, all
// clamped at zero.
//
//   - SeasonalNaive: the same weekday of last week; the baseline. Normal
//     intervals with variance σ²·(number of seasons ahead), σ² the mean
//     squared seasonal difference.
//   - ETS: additive damped trend and additive weekly seasonality,
//     ETS(A,Ad,A). α, β, γ, φ minimise the in-sample one-step SSE with
//     gonum's Nelder-Mead from three starts (α = 0.02, 0.2, 0.5) over
//     logistic transforms onto α ∈ (0,1), β ∈ (0,α), γ ∈ (0,1-α),
//     φ ∈ [0.8, 0.98]; the fitted parameters go with each backtest row. Intervals are normal with the analytic
//     variance σ²·(1 + Σ_{j<h} c_j²), c_j = α + β·(φ+…+φ^j) + γ·[j mod 7 = 0].
//   - TSB: Teunter-Syntetos-Babai for intermittent demand; the probability of
//     demand is smoothed every day, the size only on demand days; constants
//     fixed or picked from the grid {0.1, 0.2, 0.3}. Intervals are quantiles
//     of a negative binomial (Poisson when not over-dispersed) with the mean
//     p·z and variance p·v + p(1-p)·z² of a Bernoulli(p) x size demand.
//   - Ridge: one global regression pooled across the panel (each series
//     divided by its mean level), closed form (ZᵀZ + λI)β = Zᵀy on
//     standardised features solved by Cholesky: weekday one-hot, day of
//     month, an annual trend term, the promotion flag, lags 7 and 14, rolling
//     means over 7 and 28 days, every feature from days before the one
//     predicted. Forecasts are recursive; intervals are quantiles, by horizon
//     day, of multi-step errors from in-sample origins, scaled by each
//     series' one-step residual RMS.
//
// Each model documents its formulas on its type. PerSeries forecasts each
// series with its own model, chosen by SelectModels from a backtest.
//
// # Backtest
//
// Backtest fits every model at every origin on the days strictly before it
// (Series.Head caps the slices, and only the promotion flags of the forecast
// days are passed on) and records, per model, series, origin and horizon day,
// the actual, the forecast and the interval bounds, with the series' naive
// scales before the origin. RollingOrigins places origins so that the last
// one ends with the data.
//
// # Metrics
//
// With e = y - ŷ over the h days of one (series, origin) cell and the
// in-sample one-step naive differences d(t) = y(t) - y(t-1) of its history
// (from its first non-zero value, as in M5):
//
//	RMSSE  = sqrt( mean(e²) / mean(d²) )          the primary metric
//	MASE   = mean(|e|) / mean(|d|)
//	SPL_τ  = mean(pinball_τ(y, q_τ)) / mean(|d|)  pinball_τ = τ(y-q) if y >= q, else (1-τ)(q-y)
//	WAPE   = Σ|e| / Σ|y|
//	bias   = Σ(ŷ - y) / Σ|y|                      > 0: over-forecast
//	coverage80, coverage95 = share of actuals inside the intervals
//
// The quantiles are q0.1 = Lo80, q0.9 = Hi80 (the bounds of the central 80%
// interval) and q0.5 = the point forecast. Evaluate averages RMSSE, MASE and
// the SPLs over cells with equal weights (M5 weighs by revenue) and pools
// WAPE, bias and coverage over days; a cell whose history has no variation
// (scale 0) is left out of the scaled means. There is no MAPE.
//
// BuildLeaderboard evaluates every model overall and by category, region
// (from the caller's SeriesMeta) and horizon day, with the skill against the
// seasonal naive, 1 - RMSSE/RMSSE_snaive, and prints as a text table.
//
// # Stockout risk
//
// Stockout takes a product's per-day forecast means and variances in one
// warehouse, its stock on hand and the restocks arriving each day. With days
// independent, the cumulative demand to day d has mean M = Σ mean and
// variance V = Σ variance; Prob[d] = P(demand to d > on hand + restocks to
// d), under a negative binomial (V > M; P(X <= k) = I_p(r, k+1) with
// p = M/V, r = M²/(V-M)), a Poisson (P(X <= k) = Q(k+1, M)) or a normal. The
// risk score is the probability at the horizon; the predicted date is the
// first day it reaches 0.5; the confidence is 1/(1 + sd/M) at the horizon,
// high when the demand distribution is sharp. StockoutOutcomes and
// BrierScore measure the calibration of past probabilities.
package forecast

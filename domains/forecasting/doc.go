// Package forecasting is the forecasting domain: daily demand forecasts per
// product and region, the stockout risk of every product in every warehouse,
// and a rolling-origin backtest of the models, as ordinary Iceberg data
// products in the forecasting namespace, owned by the forecasting team. The
// numerical core (models, backtest, metrics, stockout probabilities) is the
// pure-Go package forecast; this package reads the lakehouse, runs it and
// writes the results.
//
// The domain publishes no events and reads other domains only through the
// lakehouse, never through their code: orders.fact_orders (the demand),
// inventory.fact_inventory_movements and inventory.opening_stock (the stock),
// inventory.dim_product (categories), inventory.dim_warehouse (which
// warehouses serve a region) and the shared promotion calendar, dim_date's
// is_promo_day (the conformed calendar of the mesh_core dbt package, built in
// this namespace).
//
// # Steps
//
//	forecasting transform build     dbt: stg_daily_demand (units and order lines per product,
//	                                warehouse and day), stg_stock_movements (net change,
//	                                restocks and picks per product, warehouse and day), dim_date
//	forecasting forecast demand     fact_forecast_demand
//	forecasting forecast stockout   fact_stockout_risks (reads fact_forecast_demand)
//	forecasting backtest            fact_forecast_backtest, and prints the leaderboard
//
// --as-of is the last day of history the models may see, by default the last
// complete day: the day before today (UTC), or the last day with an order when
// the data ends earlier. --horizon (default 14d) is the number of days
// forecast after it.
//
// # Demand
//
// A series is the daily units of one product in one region (the sum of its
// warehouses), from the later of as-of - --history + 1 (default 84 days) and
// the day after the first day with an order (the first day of the data is
// usually partial), to as-of, with zeros on days without an order. A series
// is active when the product sold in the region within the last --active
// days (default 28); every active series is forecast for every day of the
// horizon. The promotion flag of every day, history and horizon alike, comes
// from dim_date: promotions are planned, so the flags of the forecast days
// are known in advance.
//
// The production model is --model (default tsb, see DefaultModel): demand is
// intermittent (most products sell on a few days a month), and TSB's
// negative-binomial intervals and variances are those of a count. On the
// demo's data the ridge regression has a slightly lower RMSSE, but its
// intervals are too narrow and its stockout risks score a worse Brier score;
// TSB ignores the promotion flags and the trend, so it under-forecasts a
// horizon with a promotion. Each row of
// fact_forecast_demand holds the forecast day (forecast_ts, event_date), the
// point forecast, its variance, the 80% and 95% intervals, the model, the
// last day of history (trained_through), the run and its creation time. The
// table is partitioned by the forecast day, so "the forecast for next
// Tuesday" reads one partition.
//
// # Stockout risk
//
// For each active series and each warehouse of its region, the region's
// forecast is split to the warehouse by the warehouse's recent share of the
// product's order lines in the region (the last --share-window days, default
// 28, shrunk towards the warehouse's share of all the region's lines with the
// weight of 4 lines, so that a product with few orders gets the warehouse's
// usual share). A thinned compound count keeps its variance-to-mean ratio, so
// the warehouse's daily mean and variance are the share times the region's.
//
// Stock on hand at the end of as-of is inventory.opening_stock plus every
// movement up to as-of; a negative stock (more booked out than in, as a
// dead-lettered restock leaves it) is a stockout already: risk 1 from the
// first day. Inbound restocks are not known in advance in our data
// (there is no purchase-order table): the expected inbound per day is the
// average daily restock (source_type restock) of the product in the
// warehouse over the last --share-window days, arriving evenly. risk_score is
// then P(cumulative demand to the horizon > on hand + expected inbound to the
// horizon) under the forecast's distribution (forecast.Stockout: negative
// binomial, or Poisson when not over-dispersed), predicted_date the first day
// that probability reaches 0.5 (null when none does), confidence 1/(1 + sd/mean)
// of the cumulative demand at the horizon: high when the distribution is
// sharp.
//
// Calibration is checked on past origins: the production model is refitted
// on the history up to as-of - 14·k (k = 1..3 when the history allows), the
// risks are computed with the stock and restock rate of that day, and
// compared with the realised demand of each warehouse over the following
// horizon (forecast.StockoutOutcomes, with the same expected inbound); the
// Brier score of the daily probabilities and of the risk scores is printed
// with the base-rate reference and stored in the snapshot summary.
//
// # Backtest
//
// forecasting backtest places --origins (default 3) origins --horizon days
// apart so that the last one ends with as-of, fits every model (seasonal
// naive, ETS, TSB, ridge) on the days before each origin over the active
// series, and writes one row per model, series, origin and horizon day: the
// actual, the forecast, the intervals, the errors and pinball losses, whether
// each interval covered the actual, the naive scales, the cell's RMSSE and
// MASE, and the parameters the model fitted (fitted_params, for ETS and TSB:
// another implementation replays the fit from them, as the ETS notebook does
// with statsmodels). It prints the leaderboard (forecast.BuildLeaderboard: every model
// and metric, skill against seasonal naive, overall and by category, region
// and horizon day) and, per model, whether the accuracy target is met: mean
// RMSSE at least 15% below seasonal naive, no category worse than seasonal
// naive, 80% and 95% interval coverage within 5 points of nominal. The
// origins run on parallel workers (--workers, default 2).
//
// # Runs, versions and idempotency
//
// Every run has a run_id, <kind>-<as-of>-v<N>: a run for an as-of already
// forecast (a backtest through a day already backtested; stockout risks of a
// demand run already assessed) commits nothing and says so. --rerun adds
// version N+1 next to the earlier ones; readers take the highest version of
// an as-of, which is also the one with the latest created_at
// (max_by(run_id, created_at)). Each commit carries mesh.run_id, mesh.as_of
// and mesh.model in its snapshot summary.
package forecasting

// Package forecast is the numerical core of demand forecasting.
package forecast

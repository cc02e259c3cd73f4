// Package fleet is the fleet domain: delivery vehicles assigned to routes in
// every region, and the vehicle and route master data (dim_vehicle,
// dim_route) other domains refer to.
//
// The fleet does not react to other domains' events: tours follow the
// fleet's own schedule, so vehicle_routes has no upstream. Vehicles and
// routes come from the platform's master data (masterdata.Vehicles,
// masterdata.Routes), the same ids the dispatch domain uses. The generator
// rules (generator.go) pick a route, a vehicle based at the route's origin
// warehouse, where the vehicle is when assigned (near that warehouse), the
// planned stops and distance of the tour and the driver shift from the
// region's local time.
package fleet

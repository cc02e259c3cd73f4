// Package fleet is the fleet domain: delivery vehicles assigned to routes in
// every region, and the vehicle and route master data (dim_vehicle,
// dim_route) other domains refer to.
//
// The fleet does not react to other domains' events: tours follow the
// fleet's own schedule, so vehicle_routes has no upstream. The fleet owns its
// vehicles and routes (Vehicles, Routes in masterdata.go): it publishes them
// as the seeds vehicles and routes, which the dispatch domain reads as
// fleet.vehicles, so both name the same ids. They are based at the
// warehouses the inventory domain publishes. The generator
// rules (generator.go) pick a route, a vehicle based at the route's origin
// warehouse, where the vehicle is when assigned (near that warehouse), the
// planned stops and distance of the tour and the driver shift from the
// region's local time.
package fleet

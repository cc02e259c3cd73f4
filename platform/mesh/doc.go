// Package mesh turns the loaded configuration into running components: the
// broker configuration, the lakehouse and a logger. Domain binaries and
// meshctl call it so that every process opens the same catalog the same way.
package mesh

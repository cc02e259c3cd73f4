// Package masterdata generates the reference entities every domain agrees on:
// products and warehouses (more come with the other domains). They are derived
// deterministically from one seed, so a producer in one domain and a dimension
// built in another name the same ids without talking to each other.
package masterdata

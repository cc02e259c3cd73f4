module github.com/meshterious/warehouse/domains/orders

go 1.26.0

require github.com/meshterious/warehouse/platform v0.0.0

replace github.com/meshterious/warehouse/platform => ../../platform

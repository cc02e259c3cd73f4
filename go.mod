module github.com/meshterious/warehouse

go 1.26.0

require (
	github.com/magefile/mage v1.17.1
	github.com/meshterious/warehouse/platform v0.0.0
	github.com/stretchr/testify v1.12.1
)

replace github.com/meshterious/warehouse/platform => ./platform

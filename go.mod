module github.com/meshterious/warehouse

go 1.26.0

require (
	github.com/magefile/mage v1.17.1
	github.com/meshterious/warehouse/platform v0.0.0
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/kr/pretty v0.3.1 // indirect
	github.com/rogpeppe/go-internal v1.16.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	gopkg.in/check.v1 v1.0.0-20201130134442-10cb98267c6c // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

replace github.com/meshterious/warehouse/platform => ./platform

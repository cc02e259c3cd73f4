module github.com/meshterious/warehouse

go 1.26.0

require github.com/magefile/mage v1.17.1 // indirect

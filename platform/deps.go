//go:build tools

package platform

import (
	_ "github.com/apache/arrow-go/v18/arrow"
	_ "github.com/apache/iceberg-go"
	_ "github.com/apache/iceberg-go/catalog/sql"
	_ "github.com/apache/iceberg-go/io/gocloud/s3"
	_ "github.com/duckdb/duckdb-go/v2"
	_ "github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/minio/minio-go/v7"
	_ "github.com/rabbitmq/amqp091-go"
	_ "github.com/santhosh-tekuri/jsonschema/v6"
	_ "github.com/stretchr/testify/require"
	_ "github.com/uptrace/bun/driver/sqliteshim"
	_ "gopkg.in/yaml.v3"
)

package tableschema

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"github.com/meshterious/warehouse/platform/domainspec"
)

// ErrNoColumns is returned for a table that declares no columns.
var ErrNoColumns = errors.New("the table declares no columns")

// types maps each of domainspec.ColumnTypes to its Iceberg type.
var types = map[string]iceberg.Type{
	"boolean":     iceberg.PrimitiveTypes.Bool,
	"int":         iceberg.PrimitiveTypes.Int32,
	"long":        iceberg.PrimitiveTypes.Int64,
	"float":       iceberg.PrimitiveTypes.Float32,
	"double":      iceberg.PrimitiveTypes.Float64,
	"date":        iceberg.PrimitiveTypes.Date,
	"time":        iceberg.PrimitiveTypes.Time,
	"timestamp":   iceberg.PrimitiveTypes.Timestamp,
	"timestamptz": iceberg.PrimitiveTypes.TimestampTz,
	"string":      iceberg.PrimitiveTypes.String,
	"uuid":        iceberg.PrimitiveTypes.UUID,
	"binary":      iceberg.PrimitiveTypes.Binary,
}

// Type returns the Iceberg type of a declared column type.
func Type(name string) (iceberg.Type, error) {
	t, ok := types[name]
	if !ok {
		return nil, fmt.Errorf("unknown column type %q", name)
	}
	return t, nil
}

// Iceberg returns the schema of t: its declared columns in order, field IDs
// 1..n, every column optional, each column's description as its doc.
func Iceberg(t domainspec.Table) (*iceberg.Schema, error) {
	if len(t.Columns) == 0 {
		return nil, fmt.Errorf("schema of %s: %w", t.Name, ErrNoColumns)
	}
	fields := make([]iceberg.NestedField, len(t.Columns))
	for i, c := range t.Columns {
		typ, err := Type(c.Type)
		if err != nil {
			return nil, fmt.Errorf("schema of %s: columns[%d] (%s): %w", t.Name, i, c.Name, err)
		}
		fields[i] = iceberg.NestedField{ID: i + 1, Name: c.Name, Type: typ, Doc: c.Description}
	}
	return iceberg.NewSchema(0, fields...), nil
}

// Arrow returns the Arrow schema of the record batches that write t, derived
// from Iceberg(t) with iceberg-go's own conversion (field IDs and docs in the
// fields' metadata, timestamps in microseconds, strings as utf8), so that
// the lakehouse accepts the batches unchanged.
func Arrow(t domainspec.Table) (*arrow.Schema, error) {
	sc, err := Iceberg(t)
	if err != nil {
		return nil, err
	}
	as, err := table.SchemaToArrowSchema(sc, nil, true, false)
	if err != nil {
		return nil, fmt.Errorf("schema of %s: converting to Arrow: %w", t.Name, err)
	}
	return as, nil
}

package contract

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

// Docs of the derived columns.
const (
	eventDateDoc  = "UTC calendar date of event_ts; the partition column (derived at ingestion)."
	ingestedAtDoc = "When the ingester appended the event to the table (derived at ingestion)."
)

// IcebergType returns the Iceberg type a field type maps to.
func (t FieldType) IcebergType() iceberg.Type {
	switch t {
	case Timestamp:
		return iceberg.PrimitiveTypes.TimestampTz
	case Date:
		return iceberg.PrimitiveTypes.Date
	case Int64:
		return iceberg.PrimitiveTypes.Int64
	case Float64:
		return iceberg.PrimitiveTypes.Float64
	case Bool:
		return iceberg.PrimitiveTypes.Bool
	default: // String, UUID
		return iceberg.PrimitiveTypes.String
	}
}

// IcebergSchema returns the schema of the contract's raw table: the contract
// fields in order (field IDs 1..n), then event_date (date, required, ID n+1)
// and ingested_at (timestamptz, optional, ID n+2). event_id is the schema's
// identifier field. The schema is computed once; do not modify it.
func (c *Contract) IcebergSchema() *iceberg.Schema { return c.iceSchema }

// ArrowSchema returns the Arrow schema of the record batches BatchBuilder
// builds. It is derived from IcebergSchema with iceberg-go's own
// table.SchemaToArrowSchema (field IDs in PARQUET:field_id metadata, field doc
// in "doc", nullable = optional, timestamps in microseconds UTC, strings as
// utf8), so that table.Append accepts the batches unchanged.
func (c *Contract) ArrowSchema() *arrow.Schema { return c.arrowSchema }

func deriveSchemas(c *Contract) (*iceberg.Schema, *arrow.Schema, error) {
	fields := make([]iceberg.NestedField, 0, len(c.Fields)+2)
	for i, f := range c.Fields {
		fields = append(fields, iceberg.NestedField{
			ID:       i + 1,
			Name:     f.Name,
			Type:     f.Type.IcebergType(),
			Required: f.Required,
			Doc:      f.Description,
		})
	}
	n := len(c.Fields)
	fields = append(fields,
		iceberg.NestedField{ID: n + 1, Name: FieldEventDate, Type: iceberg.PrimitiveTypes.Date, Required: true, Doc: eventDateDoc},
		iceberg.NestedField{ID: n + 2, Name: FieldIngestedAt, Type: iceberg.PrimitiveTypes.TimestampTz, Doc: ingestedAtDoc},
	)
	sc := iceberg.NewSchemaWithIdentifiers(0, []int{c.index[FieldEventID] + 1}, fields...)
	as, err := table.SchemaToArrowSchema(sc, nil, true, false)
	if err != nil {
		return nil, nil, fmt.Errorf("converting Iceberg schema to Arrow: %w", err)
	}
	return sc, as, nil
}

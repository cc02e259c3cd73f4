package tableschema

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/domainspec"
)

// TestTypesCoverTheVocabulary: every type domain.yaml accepts has an Iceberg
// type that prints as the declared name, so the catalog shows declared and
// live types alike.
func TestTypesCoverTheVocabulary(t *testing.T) {
	for _, name := range domainspec.ColumnTypes {
		typ, err := Type(name)
		require.NoError(t, err, name)
		assert.Equal(t, name, typ.String())
	}
	assert.Len(t, types, len(domainspec.ColumnTypes), "a type here that domain.yaml refuses")
	_, err := Type("integer")
	assert.ErrorContains(t, err, `unknown column type "integer"`)
}

func TestSchemas(t *testing.T) {
	tb := domainspec.Table{Name: "fact_x", Columns: []domainspec.Column{
		{Name: "id", Type: "string", Description: "The key."},
		{Name: "n", Type: "int", Description: "A count."},
		{Name: "total", Type: "long", Description: "A sum."},
		{Name: "share", Type: "double", Description: "A ratio."},
		{Name: "ok", Type: "boolean", Description: "A flag."},
		{Name: "day", Type: "date", Description: "A day."},
		{Name: "at", Type: "timestamptz", Description: "An instant."},
	}}
	sc, err := Iceberg(tb)
	require.NoError(t, err)
	assert.Equal(t, "id", sc.Field(0).Name)
	assert.Equal(t, 1, sc.Field(0).ID)
	assert.Equal(t, "The key.", sc.Field(0).Doc)
	assert.False(t, sc.Field(6).Required)

	as, err := Arrow(tb)
	require.NoError(t, err)
	var got []string
	for _, f := range as.Fields() {
		require.True(t, f.Nullable, f.Name)
		got = append(got, f.Name+" "+f.Type.String())
	}
	assert.Equal(t, []string{"id utf8", "n int32", "total int64", "share float64", "ok bool", "day date32",
		"at timestamp[us, tz=UTC]"}, got)
	assert.True(t, arrow.TypeEqual(&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, as.Field(6).Type))

	_, err = Arrow(domainspec.Table{Name: "fact_y"})
	assert.ErrorIs(t, err, ErrNoColumns)
	_, err = Iceberg(domainspec.Table{Name: "fact_z", Columns: []domainspec.Column{{Name: "a", Type: "text"}}})
	assert.ErrorContains(t, err, `schema of fact_z: columns[0] (a): unknown column type "text"`)
}

package yamlpos

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func TestErrorsAndValueLine(t *testing.T) {
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte("id: a\nschedule:\n  '@daily'\n"), &doc))
	m := doc.Content[0]
	assert.Equal(t, 1, ValueLine(m, "id"))
	assert.Equal(t, 3, ValueLine(m, "schedule"))
	assert.Equal(t, 1, ValueLine(m, "missing"), "the mapping's own line")

	kind := errors.New("invalid declaration")
	el := &Errors{File: "d.yaml", Kind: kind}
	require.NoError(t, el.Err())
	el.Add(3, "schedule", "%q is not a cron expression", "@sometimes")
	el.Add(1, "id", "is taken")
	err := el.Err()
	require.ErrorIs(t, err, kind)
	assert.Equal(t, "invalid declaration: d.yaml:3: schedule: \"@sometimes\" is not a cron expression\n"+
		"invalid declaration: d.yaml:1: id: is taken", err.Error())
}

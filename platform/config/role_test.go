package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRole(t *testing.T) {
	cfg := FromLookup(lookupFrom(map[string]string{EnvDataDir: "/tmp/meshdata"}))
	require.NoError(t, cfg.Validate())
	assert.Equal(t, "", cfg.Role, "unset: the governance's default role")

	cfg = FromLookup(lookupFrom(map[string]string{EnvDataDir: "/tmp/meshdata", EnvRole: "pii-reader"}))
	require.NoError(t, cfg.Validate())
	assert.Equal(t, "pii-reader", cfg.Role)
	assert.Contains(t, cfg.String(), "MESH_ROLE")

	cfg = FromLookup(lookupFrom(map[string]string{EnvDataDir: "/tmp/meshdata", EnvRole: "PII Reader"}))
	err := cfg.Validate()
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrInvalid)
	assert.Contains(t, err.Error(), `MESH_ROLE "PII Reader" must be a role name`)
}

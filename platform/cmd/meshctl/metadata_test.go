package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/openmetadata"
	"github.com/meshterious/warehouse/platform/openmetadata/omtest"
)

// TestMetadata exports the repository's catalog, pushes it twice to the
// test server (the second push changes nothing) and checks the errors.
func TestMetadata(t *testing.T) {
	t.Setenv(config.EnvDataDir, t.TempDir())
	t.Setenv(config.EnvDotEnv, "off")
	ctx := context.Background()
	const token = "bot-token-that-must-not-leak"
	srv, err := omtest.New(token)
	require.NoError(t, err)
	defer srv.Close()

	dir := t.TempDir()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"metadata", "export", dir}, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	assert.Contains(t, errb.String(), "valid against the OpenMetadata "+openmetadata.Version+" JSON Schemas")
	for _, typ := range openmetadata.Types {
		files, err := filepath.Glob(filepath.Join(dir, typ.Dir, "*.json"))
		require.NoError(t, err)
		assert.NotEmpty(t, files, "export has no %s", typ.Dir)
	}
	assert.FileExists(t, filepath.Join(dir, "tables", "mesh_lakehouse.mesh.orders.fact_orders.json"))
	assert.FileExists(t, filepath.Join(dir, "topics", "mesh_rabbitmq._ingest_orders_us-east.dlq_.json"))

	t.Setenv(config.EnvOpenMetadataToken, token)
	out.Reset()
	errb.Reset()
	code = run(ctx, []string{"metadata", "push", "--url", srv.URL}, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	first := out.String()
	assert.Regexp(t, `\ntable +\d+ +0 +0\n`, first)
	assert.Contains(t, errb.String(), "pushing ")
	assert.NotContains(t, errb.String()+first, token)

	out.Reset()
	code = run(ctx, []string{"metadata", "push", "--url", srv.URL}, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	assert.Regexp(t, `\ntotal +0 +0 +\d+\n`, out.String(), "a second push changes nothing")

	out.Reset()
	code = run(ctx, []string{"metadata", "push", "--url", srv.URL, "--domain", "orders"}, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	assert.Regexp(t, `\ntotal +0 +0 +\d+\n`, out.String())
	assert.Regexp(t, `\ntopic +0 +0 +\d+\n`, out.String())

	t.Setenv(config.EnvOpenMetadataURL, "")
	out.Reset()
	code = run(ctx, []string{"metadata", "push", "--if-configured", "--domain", "orders"}, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	assert.Contains(t, out.String(), "no OpenMetadata server configured (MESH_OPENMETADATA_URL): nothing pushed")

	tests := []struct {
		name, token string
		args        []string
		errContains string
	}{
		{"bad token", "wrong", []string{"metadata", "push", "--url", srv.URL}, "refused the token (401)"},
		{"no token", "", []string{"metadata", "push", "--url", srv.URL}, "set MESH_OPENMETADATA_TOKEN"},
		{"no url", token, []string{"metadata", "push"}, "give --url or set MESH_OPENMETADATA_URL"},
		{"no dir", token, []string{"metadata", "export"}, "one directory"},
		{"bad subcommand", token, []string{"metadata", "pull"}, `unknown subcommand "pull"`},
		{"unknown domain", token, []string{"metadata", "push", "--url", srv.URL, "--domain", "nope"}, `--domain "nope": no such domain`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(config.EnvOpenMetadataToken, tc.token)
			t.Setenv(config.EnvOpenMetadataURL, "")
			var out, errb bytes.Buffer
			code := run(ctx, tc.args, &out, &errb)
			assert.Equal(t, 1, code)
			assert.Contains(t, errb.String(), tc.errContains)
			if tc.token != "" {
				assert.False(t, strings.Contains(errb.String()+out.String(), tc.token), "token leaked")
			}
		})
	}
}

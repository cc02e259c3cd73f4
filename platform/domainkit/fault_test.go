package domainkit

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFaultKillAfterCommit checks the hook as the build tags of this test
// binary compile it: `go test` ignores the variable, `go test -tags
// meshfault` parses it.
func TestFaultKillAfterCommit(t *testing.T) {
	badNumber := "" // ignored without the tag
	if faultCompiled {
		badNumber = "want a commit number"
	}
	tests := []struct {
		name        string
		value       string
		wantHook    bool
		errContains string
	}{
		{name: "unset", value: ""},
		{name: "a commit number", value: "2", wantHook: faultCompiled},
		{name: "not a number", value: "soon", errContains: badNumber},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvFaultKillAfterCommit, tt.value)
			hook, err := faultKillAfterCommit()
			if tt.errContains != "" {
				require.ErrorContains(t, err, tt.errContains)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantHook, hook != nil)
		})
	}
}

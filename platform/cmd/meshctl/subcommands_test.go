package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDispatch(t *testing.T) {
	var ran []string
	sub := func(name string) subcommand {
		return subcommand{name, func(_ context.Context, args []string, stdout, _ io.Writer) error {
			ran = append([]string{name}, args...)
			_, err := io.WriteString(stdout, name)
			return err
		}}
	}
	subs := []subcommand{sub("list"), sub("show"), sub("lineage")}
	tests := []struct {
		name        string
		args        []string
		wantRan     []string
		wantUsage   bool
		wantErr     error
		errContains string
	}{
		{name: "a subcommand gets the rest", args: []string{"show", "orders.fact_orders", "--format", "json"}, wantRan: []string{"show", "orders.fact_orders", "--format", "json"}},
		{name: "nothing", args: nil, wantUsage: true, errContains: "missing subcommand: list, show or lineage"},
		{name: "help", args: []string{"-h"}, wantUsage: true, wantErr: flag.ErrHelp},
		{name: "long help", args: []string{"--help", "list"}, wantUsage: true, wantErr: flag.ErrHelp},
		{name: "unknown", args: []string{"pull"}, wantUsage: true, errContains: `unknown subcommand "pull": list, show or lineage`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran = nil
			var stdout, stderr bytes.Buffer
			err := dispatch(context.Background(), tt.args, &stdout, &stderr, "Usage: meshctl x\n", subs...)
			switch {
			case tt.wantErr != nil:
				require.ErrorIs(t, err, tt.wantErr)
			case tt.errContains != "":
				require.ErrorContains(t, err, tt.errContains)
			default:
				require.NoError(t, err)
			}
			assert.Equal(t, tt.wantRan, ran)
			if tt.wantUsage {
				assert.Equal(t, "Usage: meshctl x\n", stderr.String())
				assert.Empty(t, stdout.String())
			} else {
				assert.Empty(t, stderr.String())
				assert.Equal(t, tt.wantRan[0], stdout.String())
			}
		})
	}
}

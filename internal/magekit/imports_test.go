package magekit

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/domainspec"
)

// workspace writes a go.work with a platform module and the domain modules
// a, b and c, each package's source given by files (path -> content).
func workspace(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	base := map[string]string{
		"go.work":                 "go 1.26.0\n\nuse (\n\t./platform\n\t./domains/a\n\t./domains/b\n\t./domains/c\n)\n",
		"platform/go.mod":         "module example.com/platform\n\ngo 1.26.0\n",
		"platform/kit/kit.go":     "package kit\n\nconst Name = \"kit\"\n",
		"domains/a/go.mod":        "module example.com/a\n\ngo 1.26.0\n",
		"domains/a/a.go":          "package a\n\nimport \"example.com/platform/kit\"\n\nconst Name = kit.Name + \"a\"\n",
		"domains/a/inner/in.go":   "package inner\n\nimport \"example.com/a\"\n\nconst Name = a.Name\n",
		"domains/b/go.mod":        "module example.com/b\n\ngo 1.26.0\n",
		"domains/b/b.go":          "package b\n\nimport \"example.com/platform/kit\"\n\nconst Name = kit.Name + \"b\"\n",
		"domains/c/go.mod":        "module example.com/c\n\ngo 1.26.0\n",
		"domains/c/c.go":          "package c\n\nconst Name = \"c\"\n",
		"domains/c/cmd/c/main.go": "package main\n\nimport \"example.com/c\"\n\nfunc main() { println(c.Name) }\n",
	}
	for p, content := range files {
		base[p] = content
	}
	for p, content := range base {
		full := filepath.Join(root, filepath.FromSlash(p))
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(content), 0o644))
	}
	return root
}

var testDomains = []*domainspec.Domain{
	{Name: "a", Dir: "domains/a"}, {Name: "b", Dir: "domains/b"}, {Name: "c", Dir: "domains/c"},
}

func TestCheckImports(t *testing.T) {
	tests := []struct {
		name        string
		files       map[string]string
		want        []string
		errContains string
	}{
		{name: "domains import only the platform"},
		{
			name:  "a domain imports another domain",
			files: map[string]string{"domains/b/b.go": "package b\n\nimport \"example.com/a/inner\"\n\nconst Name = inner.Name\n"},
			want:  []string{"domains/b: example.com/b imports example.com/a/inner (domain a)"},
		},
		{
			name:  "a domain's test imports another domain",
			files: map[string]string{"domains/c/c_test.go": "package c\n\nimport (\n\t\"testing\"\n\n\t\"example.com/b\"\n)\n\nfunc TestX(t *testing.T) { _ = b.Name }\n"},
			want:  []string{"domains/c: example.com/c imports example.com/b (domain b)"},
		},
		{
			name:  "the platform imports a domain",
			files: map[string]string{"platform/kit/use.go": "package kit\n\nimport \"example.com/c\"\n\nvar Other = c.Name\n"},
			want:  []string{"platform: example.com/platform/kit imports example.com/c (domain c)"},
			// a and b import kit, so they reach domain c through the platform.
			errContains: "domains/a: example.com/platform/kit imports example.com/c (domain c)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := workspace(t, tt.files)
			vs, err := ImportViolations(root, testDomains)
			require.NoError(t, err)
			var got []string
			for _, v := range vs {
				got = append(got, v.String())
			}
			for _, w := range tt.want {
				assert.Contains(t, got, w)
			}
			err = CheckImports(root, testDomains)
			if len(tt.want) == 0 {
				assert.Empty(t, got)
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrForbiddenImport)
			for _, w := range tt.want {
				assert.ErrorContains(t, err, w)
			}
			if tt.errContains != "" {
				assert.ErrorContains(t, err, tt.errContains)
			}
		})
	}
}

// TestRepositoryImports holds this repository to the rule.
func TestRepositoryImports(t *testing.T) {
	root := filepath.Join("..", "..")
	ds, err := domainspec.LoadAll(root)
	require.NoError(t, err)
	abs, err := filepath.Abs(root)
	require.NoError(t, err)
	require.NoError(t, CheckImports(abs, ds))
}

package magekit

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFuzzTargetsScansTheTree(t *testing.T) {
	root := t.TempDir()
	write := func(p, src string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, p), []byte(src), 0o644))
	}
	write("go.mod", "module x\n")
	write("platform/go.mod", "module p\n")
	write("platform/a/b/x_test.go", "package b\n\nfunc FuzzOne(f *testing.F) {}\nfunc FuzzTwo(ff *testing.F) {\n}\nfunc TestNot(t *testing.T) {}\n// func FuzzComment(f *testing.F)\n")
	write("platform/a/x.go", "package a\n\nfunc FuzzNotATest(f *testing.F) {}\n")
	write("platform/a/testdata/y_test.go", "package y\n\nfunc FuzzInTestdata(f *testing.F) {}\n")
	write("tools/z_test.go", "package tools\n\nfunc FuzzRoot(f *testing.F) {}\n")
	got, err := FuzzTargets(root)
	require.NoError(t, err)
	assert.Equal(t, []TestFunc{
		{Module: "platform", Package: "./a/b", Name: "FuzzOne"},
		{Module: "platform", Package: "./a/b", Name: "FuzzTwo"},
		{Module: ".", Package: "./tools", Name: "FuzzRoot"},
	}, got)
}

// TestFuzzTargetsOfTheRepository pins the targets the repository has, so a
// scan that stops finding one fails here.
func TestFuzzTargetsOfTheRepository(t *testing.T) {
	got, err := FuzzTargets(filepath.Join("..", ".."))
	require.NoError(t, err)
	var names []string
	for _, tg := range got {
		names = append(names, tg.String())
	}
	for _, want := range []string{
		"platform/contract FuzzDecode", "platform/contract FuzzParseFlat", "platform/produce FuzzReadReplay",
		"platform/domainspec FuzzParse", "platform/dags FuzzParse", "platform/dbt FuzzProperties", "platform/dbt FuzzRender",
		"platform/lakehouse FuzzParseIdent", "platform/query FuzzQuoteIdent",
	} {
		assert.Contains(t, names, want)
	}
}

func TestFuzzTime(t *testing.T) {
	t.Setenv(EnvFuzzTime, "")
	d, err := FuzzTime(5 * time.Second)
	require.NoError(t, err)
	assert.Equal(t, 5*time.Second, d)
	t.Setenv(EnvFuzzTime, "1m")
	d, err = FuzzTime(5 * time.Second)
	require.NoError(t, err)
	assert.Equal(t, time.Minute, d)
	t.Setenv(EnvFuzzTime, "soon")
	_, err = FuzzTime(5 * time.Second)
	assert.ErrorContains(t, err, `--time (MESH_FUZZ_TIME) = "soon"`)
}

// TestRunFuzzReportsACrash fuzzes a tiny module whose target fails on its
// seed: RunFuzz must fail with ErrFuzz naming the target.
func TestRunFuzzReportsACrash(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "go.mod"), []byte("module fz\n\ngo 1.26\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "fz_test.go"), []byte(`package fz

import "testing"

func FuzzBroken(f *testing.F) {
	f.Add("boom")
	f.Fuzz(func(t *testing.T, s string) {
		if s == "boom" {
			t.Fatal("found boom")
		}
	})
}
`), 0o644))
	t.Setenv("GOWORK", "off")
	targets, err := FuzzTargets(root)
	require.NoError(t, err)
	require.Equal(t, []TestFunc{{Module: ".", Package: ".", Name: "FuzzBroken"}}, targets)
	var out bytes.Buffer
	_, err = RunFuzz(root, targets, time.Second, &out)
	require.ErrorIs(t, err, ErrFuzz)
	assert.ErrorContains(t, err, "FuzzBroken")
	assert.Contains(t, out.String(), "found boom")
	assert.Contains(t, out.String(), "1 failed")
}

// TestFuzzDeadlineRace tells Go's -fuzztime deadline race (as CI printed
// it for FuzzReadReplay on a loaded machine) from a real failure, which
// writes its input.
func TestFuzzDeadlineRace(t *testing.T) {
	race := "fuzz: elapsed: 3s, execs: 32 (11/sec), new interesting: 0 (total: 24)\n" +
		"--- FAIL: FuzzReadReplay (3.01s)\n    context deadline exceeded\nFAIL\nexit status 1\n" +
		"FAIL\tgithub.com/meshterious/warehouse/platform/produce\t3.211s\n"
	found := "fuzz: elapsed: 1s, execs: 900 (900/sec), new interesting: 2 (total: 9)\n" +
		"--- FAIL: FuzzParse (1.20s)\n    --- FAIL: FuzzParse (0.00s)\n        parse_test.go:40: panic: index out of range\n\n" +
		"    Failing input written to testdata/fuzz/FuzzParse/5b1c0e\n" +
		"    To re-run:\n    go test -run=FuzzParse/5b1c0e\nFAIL\n"
	build := "# github.com/x/y\n./a.go:3:1: syntax error\nFAIL\tgithub.com/x/y [build failed]\n"
	if !FuzzDeadlineRace(race) {
		t.Error("the deadline race was not recognised")
	}
	if FuzzDeadlineRace(found) {
		t.Error("a failing input was taken for the deadline race")
	}
	if FuzzDeadlineRace(build) {
		t.Error("a build failure was taken for the deadline race")
	}
}

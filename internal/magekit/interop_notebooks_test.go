package magekit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeNotebook(t *testing.T, cells string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "nb.ipynb")
	body := `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [` + cells + `]}`
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	return p
}

const (
	mdCell        = `{"cell_type": "markdown", "metadata": {}, "source": ["# Title"]}`
	cleanCell     = `{"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [], "source": ["x = 1\n", "print(x)"]}`
	checkCell     = `{"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [], "source": "# check\nassert x == 2, f'x is {x}, want 2'"}`
	outputCell    = `{"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [{"output_type": "stream", "name": "stdout", "text": ["1\n"]}], "source": ["print(1)"]}`
	countOnlyCell = `{"cell_type": "code", "metadata": {}, "execution_count": 3, "outputs": [], "source": ["y = 2"]}`
)

func TestCheckNotebookClean(t *testing.T) {
	tests := []struct {
		name, cells string
		errContains string
	}{
		{name: "cleared", cells: mdCell + "," + cleanCell + "," + checkCell},
		{name: "no cells", cells: ""},
		{name: "outputs", cells: mdCell + "," + cleanCell + "," + outputCell, errContains: "notebook committed with outputs: cell 3 (print(1))"},
		{name: "execution count", cells: countOnlyCell, errContains: "cell 1 (y = 2): clear them with jupyter nbconvert --clear-output --inplace nb.ipynb"},
		{name: "not a notebook", cells: `{"cell_type": "code", "source": 3}`, errContains: "reading nb.ipynb as a notebook"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckNotebookClean(writeNotebook(t, tt.cells))
			if tt.errContains != "" {
				require.Error(t, err)
				assert.ErrorContains(t, err, tt.errContains)
				if tt.name != "not a notebook" {
					assert.ErrorIs(t, err, ErrNotebookOutputs)
				}
				return
			}
			assert.NoError(t, err)
		})
	}
}

// The repository's notebooks are committed without outputs.
func TestRepositoryNotebooksCleared(t *testing.T) {
	nbs, err := Notebooks(filepath.Join("..", ".."))
	require.NoError(t, err)
	for _, nb := range nbs {
		assert.NoError(t, CheckNotebookClean(nb), nb)
	}
}

// nbconvertFailure is the end of what jupyter nbconvert 7.17 prints when a
// cell raises (its own traceback shortened), colours included.
const nbconvertFailure = "[NbConvertApp] Converting notebook nb.ipynb to notebook\n" +
	"Traceback (most recent call last):\n  File \"/venv/bin/jupyter-nbconvert\", line 8, in <module>\n" +
	"nbclient.exceptions.CellExecutionError: An error occurred while executing the following cell:\n" +
	"------------------\n# check\nassert x == 2, f'x is {x}, want 2'\n------------------\n\n\n" +
	"\x1b[31m---------------------------------------------------------------------------\x1b[39m\n" +
	"\x1b[31mAssertionError\x1b[39m                            Traceback (most recent call last)\n" +
	"\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[2]\x1b[39m\x1b[32m, line 2\x1b[39m\n" +
	"\x1b[32m      1\x1b[39m \x1b[38;5;66;03m# check\x1b[39;00m\n" +
	"\x1b[32m----> \x1b[39m\x1b[32m2\x1b[39m \x1b[38;5;28;01massert\x1b[39;00m x == \x1b[32m2\x1b[39m\n\n" +
	"\x1b[31mAssertionError\x1b[39m: x is 1, want 2\n\n"

func TestNotebookFailure(t *testing.T) {
	nb := writeNotebook(t, mdCell+","+cleanCell+","+checkCell)
	got := NotebookFailure(nb, nbconvertFailure)
	assert.Equal(t, "cell 3 of 3 (# check) failed:\n----> 2 assert x == 2\nAssertionError: x is 1, want 2", got)

	// A cell no longer in the notebook, and output without a cell error.
	other := writeNotebook(t, mdCell)
	assert.Contains(t, NotebookFailure(other, nbconvertFailure), "an unknown cell (# check) failed:")
	assert.Contains(t, NotebookFailure(nb, "jupyter: No such kernel named python3\n"), "nbconvert failed:\njupyter: No such kernel")

	// Line numbers of two digits shorten the arrow.
	wide := strings.Replace(nbconvertFailure, "\x1b[32m----> \x1b[39m\x1b[32m2\x1b[39m", "\x1b[32m---> \x1b[39m\x1b[32m14\x1b[39m", 1)
	assert.Equal(t, "cell 3 of 3 (# check) failed:\n---> 14 assert x == 2\nAssertionError: x is 1, want 2", NotebookFailure(nb, wide))

	// A long message keeps its first lines; no exception line: the last lines.
	long := strings.Replace(nbconvertFailure, ": x is 1, want 2", ": rows differ\n  a\n  b\n  c\n  d\n  e\n  f\n  g", 1)
	assert.Equal(t, "cell 3 of 3 (# check) failed:\n----> 2 assert x == 2\nAssertionError: rows differ\n  a\n  b\n  c\n  d\n  e",
		NotebookFailure(nb, long))
	assert.Equal(t, "cell 3 of 3 (# check) failed:\none\ntwo",
		NotebookFailure(nb, cellErrorHeader+cellErrorRule+"# check\nassert x == 2, f'x is {x}, want 2'\n"+cellErrorRule+"one\ntwo\n"))
}

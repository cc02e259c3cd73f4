package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServeFlags(t *testing.T) {
	seed(t)
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 1, run(context.Background(), []string{"serve", "extra"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), `unexpected arguments "extra"`)
	stderr.Reset()
	assert.Equal(t, 1, run(context.Background(), []string{"serve", "--addr", "nope"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), `serve.addr "nope" is not host:port`)
}

// TestServe runs meshctl serve on a free port, asks POST /api/sql a question
// with a known answer, and stops it as Ctrl+C does.
func TestServe(t *testing.T) {
	seed(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, w := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--refresh", "-1s"}, w, &stderr)
		w.Close()
	}()
	addrRE := regexp.MustCompile(`serving http://([0-9.:]+)/`)
	lines := bufio.NewScanner(out)
	var addr string
	for addr == "" && lines.Scan() {
		if m := addrRE.FindStringSubmatch(lines.Text()); m != nil {
			addr = m[1]
		}
	}
	require.NotEmpty(t, addr, "no address printed; stderr: %s", stderr.String())
	go io.Copy(io.Discard, out)

	resp, err := http.Post("http://"+addr+"/api/sql", "application/json",
		bytes.NewBufferString(`{"sql": "SELECT CAST(sum(amount) AS BIGINT) AS total FROM orders.raw_orders WHERE region = 'us-east'"}`))
	require.NoError(t, err)
	var res struct {
		Columns []string
		Rows    [][]any
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&res))
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, []string{"total"}, res.Columns)
	assert.Equal(t, [][]any{{16.0}}, res.Rows)

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("meshctl serve did not stop within 30s of its context's end")
	}
}

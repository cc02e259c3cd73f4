package omtest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/openmetadata/omtest"
)

// TestAnswers checks the server's answers to raw requests, as OpenMetadata
// gives them.
func TestAnswers(t *testing.T) {
	srv, err := omtest.New("tok")
	require.NoError(t, err)
	defer srv.Close()
	put := func(path, body, tok string) (*http.Response, string) {
		req, err := http.NewRequest(http.MethodPut, srv.URL+"/api/v1"+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	svc := `{"name":"lake","serviceType":"CustomDatabase"}`
	tests := []struct {
		name, path, body, tok string
		status                int
		change, contains      string
	}{
		{"no token", "/services/databaseServices", svc, "bad", 401, "", `"code":401`},
		{"create", "/services/databaseServices", svc, "tok", 201, "entityCreated", `"version":0.1`},
		{"same again", "/services/databaseServices", svc, "tok", 200, "entityNoChange", `"version":0.1`},
		{"changed", "/services/databaseServices", `{"name":"lake","serviceType":"CustomDatabase","description":"d"}`, "tok", 200, "entityUpdated", `"version":0.2`},
		{"invalid body", "/services/databaseServices", `{"name":"lake"}`, "tok", 400, "", "serviceType"},
		{"unknown parent", "/databases", `{"name":"db","service":"nope"}`, "tok", 404, "", "databaseService instance for nope not found"},
		{"child", "/databases", `{"name":"db.x","service":"lake"}`, "tok", 201, "entityCreated", `"fullyQualifiedName":"lake.\"db.x\""`},
		{"unknown tag", "/databaseSchemas", `{"name":"s","database":"lake.\"db.x\"","tags":[{"tagFQN":"PII.Nope","source":"Classification","labelType":"Manual","state":"Confirmed"}]}`, "tok", 404, "", "tag instance for PII.Nope not found"},
		{"built-in tag", "/databaseSchemas", `{"name":"s","database":"lake.\"db.x\"","tags":[{"tagFQN":"PII.Sensitive","source":"Classification","labelType":"Manual","state":"Confirmed"}]}`, "tok", 201, "entityCreated", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := put(tc.path, tc.body, tc.tok)
			assert.Equal(t, tc.status, resp.StatusCode, body)
			assert.Equal(t, tc.change, resp.Header.Get("X-OpenMetadata-Change"))
			assert.Contains(t, body, tc.contains)
		})
	}
	srv.Fail(omtest.Fault{Status: 429, RetryAfter: "3"})
	resp, _ := put("/services/databaseServices", svc, "tok")
	assert.Equal(t, 429, resp.StatusCode)
	assert.Equal(t, "3", resp.Header.Get("Retry-After"))
}

package errors

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/meshterious/warehouse/platform/domainkit/domaintest"
)

func TestErrorCodes(t *testing.T) {
	codes := ErrorCodes()
	assert.Len(t, codes, 12)
	total := 0.0
	for _, c := range codes {
		assert.Regexp(t, `^[A-Z_]+$`, c.Code)
		assert.NotEmpty(t, c.Description)
		assert.True(t, slices.Contains(Severities, c.Severity), c.Severity)
		total += c.Frequency
	}
	assert.InDelta(t, 1.0, total, 1e-9)
}

// TestPublishedSeeds: the committed seed error_codes is the catalogue.
func TestPublishedSeeds(t *testing.T) { domaintest.CheckPublished(t) }

package fleet

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestShiftAt(t *testing.T) {
	assert.Equal(t, "night", shiftAt(3))
	assert.Equal(t, "early", shiftAt(5))
	assert.Equal(t, "late", shiftAt(13))
	assert.Equal(t, "night", shiftAt(21))
	for h := 0; h < 24; h++ {
		assert.True(t, driverShifts.Contains(shiftAt(h)))
	}
}

package returns

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestDelayLikelihood(t *testing.T) {
	assert.Zero(t, delayLikelihood(36*time.Hour, "us-east"), "nothing comes back before delivery")
	assert.Greater(t, delayLikelihood(7*24*time.Hour, "us-east"), delayLikelihood(25*24*time.Hour, "us-east"), "most returns come in the first week")
	assert.Zero(t, delayLikelihood(31*24*time.Hour, "us-east"), "nothing comes back after the 30-day window")
}

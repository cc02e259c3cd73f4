package errors

import (
	"math"
	"sort"
	"time"

	"github.com/meshterious/warehouse/platform/domainkit"
	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/produce"
)

// channelErrorRate is the share of a channel's order lines that hit an
// error: marketplace orders pass through a partner's systems, store sales
// are paid and handed over at the till.
var channelErrorRate = map[string]float64{
	"web": 0.030, "mobile": 0.036, "store": 0.008, "marketplace": 0.055, "b2b": 0.020,
}

// stage groups codes by where in the order's life they are detected, which
// sets the detection delay after the order.
var stage = map[string]string{
	"ADDR_INVALID": "checkout", "ADDR_UNDELIVERABLE": "shipping", "PAYMENT_DECLINED": "checkout",
	"PAYMENT_TIMEOUT": "checkout", "FRAUD_SUSPECTED": "screening", "OUT_OF_STOCK": "warehouse",
	"PICK_MISMATCH": "warehouse", "PACKAGE_DAMAGED": "warehouse", "LABEL_PRINT_FAILED": "warehouse",
	"PRICE_MISMATCH": "checkout", "DUPLICATE_ORDER": "screening", "SYSTEM_ERROR": "any",
}

// detectionDelay is the median delay after the order per stage; the actual
// delay is log-normal around it.
var detectionDelay = map[string]time.Duration{
	"checkout": 20 * time.Second, "screening": 10 * time.Minute, "warehouse": 3 * time.Hour,
	"shipping": 20 * time.Hour, "any": 30 * time.Minute,
}

// resolvedShare is the share of errors already resolved, by severity:
// critical errors are escalated and take longest.
var resolvedShare = map[string]float64{"low": 0.92, "medium": 0.82, "high": 0.65, "critical": 0.45}

// codeWeight adjusts a code's catalogued frequency for a channel and region.
func codeWeight(c ErrorCode, channel, region string) float64 {
	w := c.Frequency
	addr := c.Code == "ADDR_INVALID" || c.Code == "ADDR_UNDELIVERABLE"
	switch {
	case channel == "store" && (addr || c.Code == "PAYMENT_TIMEOUT"):
		return 0 // picked up in store, paid at the till
	case channel == "b2b" && c.Code == "PAYMENT_DECLINED":
		w *= 0.2 // invoiced
	case channel == "marketplace" && c.Code == "DUPLICATE_ORDER":
		w *= 3
	}
	if addr && region == "ap-southeast" {
		w *= 1.8
	}
	return w
}

var (
	codes     = ErrorCodes()
	catalogue = byCode(codes)
	maxRate   = maxOf(channelErrorRate)
)

// maxCodeBoost is the largest factor codeWeight applies to a frequency.
const maxCodeBoost = 3

func byCode(cs []ErrorCode) map[string]ErrorCode {
	out := map[string]ErrorCode{}
	for _, c := range cs {
		out[c.Code] = c
	}
	return out
}

func maxOf(m map[string]float64) float64 {
	out := 0.0
	for _, v := range m {
		out = math.Max(out, v)
	}
	return out
}

// codeVocabularies holds the error-code vocabulary of every channel ("" for
// all channels) and region, built once: producers of several regions run
// concurrently.
var codeVocabularies = buildCodeVocabularies()

func buildCodeVocabularies() map[[2]string]gen.Vocabulary {
	out := map[[2]string]gen.Vocabulary{}
	for _, region := range gen.RegionNames() {
		out[[2]string{"", region}] = newCodeVocabulary("", region)
		for ch := range channelErrorRate {
			out[[2]string{ch, region}] = newCodeVocabulary(ch, region)
		}
	}
	return out
}

// codeVocabulary is the error-code vocabulary of a channel and region; channel
// "" gives the region's vocabulary over all channels.
func codeVocabulary(channel, region string) gen.Vocabulary {
	if v, ok := codeVocabularies[[2]string{channel, region}]; ok {
		return v
	}
	return newCodeVocabulary(channel, region)
}

func newCodeVocabulary(channel, region string) gen.Vocabulary {
	var ws []gen.Weighted
	for _, c := range codes {
		if w := codeWeight(c, channel, region); w > 0 {
			ws = append(ws, gen.Weighted{Value: c.Code, Weight: w})
		}
	}
	v, err := gen.NewWeightedVocabulary("error_code", ws...)
	if err != nil {
		panic(err)
	}
	return v
}

// orderTime is the order_ts of an upstream row.
func orderTime(row map[string]any) time.Time {
	switch ts := row["order_ts"].(type) {
	case time.Time:
		return ts
	case string:
		t, _ := time.Parse(time.RFC3339Nano, ts)
		return t
	}
	return time.Time{}
}

// neighbourhood is how many order lines before the target time an error may
// fall on: wide enough for every channel to be represented.
const neighbourhood = 200

// GenerateOrderError makes the domain fields of one order error detected at
// c.Time, or nil without order lines to detect errors on. The code and its
// detection delay come first; the order line is then drawn among those placed
// just before c.Time minus the delay (the upstream is sorted by order_ts), each
// accepted with a chance proportional to its channel's error rate and to the
// code's weight for the channel. Errors are thus spread like the burst and
// never detected after c.Time (so never in the future of a live run).
func GenerateOrderError(c *produce.Context) map[string]any {
	lines := c.Upstream
	if len(lines) == 0 {
		return nil
	}
	r := c.Rand
	region := c.Region.Name
	code := codeVocabulary("", region).Pick(r)
	cat := catalogue[code]
	median := detectionDelay[stage[code]]
	delay := time.Duration(float64(median) * math.Exp(r.Normal(0, 0.6)))
	target := c.Time.Add(-delay)
	last := sort.Search(len(lines), func(i int) bool { return orderTime(lines[i]).After(target) }) - 1
	if last < 0 {
		last = 0
	}
	var row map[string]any
	for try := 0; ; try++ {
		row = lines[last-r.IntN(min(last+1, neighbourhood))]
		ch, _ := row["channel"].(string)
		w := codeWeight(cat, ch, region) / cat.Frequency // 0..3
		if try == 64 && w > 0 {
			break
		}
		if r.Float64()*maxRate*maxCodeBoost < channelErrorRate[ch]*w {
			break
		}
		if try > 256 { // only channels the code cannot happen on nearby
			code = codeVocabulary(ch, region).Pick(r)
			cat = catalogue[code]
			break
		}
	}
	orderID, _ := row["order_id"].(string)
	warehouse, _ := row["warehouse_id"].(string)
	channel, _ := row["channel"].(string)
	placed := orderTime(row)
	detected := placed.Add(delay).Truncate(time.Microsecond)
	if detected.After(c.Time) && c.Time.After(placed) {
		detected = c.Time // only when c.Time is closer to the first order line than the delay
	}
	ev := map[string]any{
		"error_id":       r.UUID().String(),
		"order_id":       orderID,
		"error_code":     code,
		"severity_level": cat.Severity,
		"detected_ts":    produce.Timestamp(detected),
		"event_ts":       produce.Timestamp(detected),
		"warehouse_id":   warehouse,
		"region":         region,
		"channel":        channel,
		"resolved":       false,
	}
	if r.Bool(resolvedShare[cat.Severity]) {
		ev["resolved"] = true
		ev["resolution_minutes"] = int64(math.Min(100000, float64(5+r.Poisson(60)*(1+r.IntN(24)))))
	}
	return ev
}

// Domain returns the errors domain: its embedded declarations and the generator of each event.
func Domain() *domainkit.Domain {
	return domainkit.MustLoad(files, map[string]produce.Generator{"order_errors": GenerateOrderError})
}

package produce

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"

	"github.com/meshterious/warehouse/platform/contract"
)

// MarshalOrdered writes ev as a JSON object with the contract's fields first,
// in contract order, then any other keys sorted: byte-identical for equal input.
func MarshalOrdered(c *contract.Contract, ev map[string]any) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	seen := make(map[string]bool, len(ev))
	first := true
	write := func(k string, v any) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		writeValue(&b, v)
	}
	for _, f := range c.Fields {
		if v, ok := ev[f.Name]; ok {
			write(f.Name, v)
			seen[f.Name] = true
		}
	}
	var rest []string
	for k := range ev {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		write(k, ev[k])
	}
	b.WriteByte('}')
	return b.Bytes()
}

func writeValue(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case float64:
		b.WriteString(strconv.FormatFloat(x, 'f', -1, 64))
	case rawJSON:
		b.Write(x)
	default:
		vb, err := json.Marshal(x)
		if err != nil {
			b.WriteString("null")
			return
		}
		b.Write(vb)
	}
}

// rawJSON is written verbatim; used to inject invalid bytes on purpose.
type rawJSON []byte

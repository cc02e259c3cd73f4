package produce

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshterious/warehouse/platform/contract"
)

// FuzzReadReplay feeds CSV files to ReadReplay with the orders.v1 contract. It
// asserts: no panic; every error wraps ErrBadReplayFile and names the file;
// every returned event decodes again under the contract after MarshalOrdered
// (what a replay publishes is valid). The corpus in testdata/fuzz/FuzzReadReplay
// holds real replay files.
func FuzzReadReplay(f *testing.F) {
	c, err := contract.Load(filepath.Join("..", "contract", "testdata", "orders.v1.json"))
	if err != nil {
		f.Fatal(err)
	}
	header := "event_id,event_ts,order_id,customer_id,product_id,warehouse_id,region,order_ts,qty,unit_price,currency,channel,customer_lat,customer_lon\n"
	row := "0b9f2a52-5a3e-4f0a-8d7e-1c2b3a4d5e6f,2026-01-02T10:00:00Z,5b0f7a34-3c3e-4b8e-9a43-0d5e4c1b2a10,C-000042,P-00007,WH-EUC-02,eu-central,2026-01-02T10:00:00Z,3,12.5,EUR,web,50.1,10.2\n"
	for _, s := range []string{header + row, header, "", "event_id,colour\n", header + "a,b\n", "\ufeff" + header + row, header + `"x` + "\n"} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "replay.csv")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		evs, err := ReadReplay(p, c, func() string { return "9d3c1e0a-1111-4222-8333-000000000001" })
		if err != nil {
			if !errors.Is(err, ErrBadReplayFile) {
				t.Fatalf("error does not wrap ErrBadReplayFile: %v", err)
			}
			if !strings.Contains(err.Error(), p) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for i, ev := range evs {
			if _, err := c.Decode(MarshalOrdered(c, ev)); err != nil {
				t.Fatalf("event %d was accepted but does not re-validate: %v", i, err)
			}
		}
	})
}

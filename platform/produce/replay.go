package produce

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/meshterious/warehouse/platform/contract"
)

// ErrBadReplayFile is wrapped by errors about the replay CSV.
var ErrBadReplayFile = errors.New("bad replay file")

// maxReplayErrors bounds how many bad rows one error message lists.
const maxReplayErrors = 10

// ReadReplay reads a CSV file with a header row naming contract fields and
// returns one event per row, each validated against the contract. Columns
// event_type and event_id are optional (filled in); empty cells are omitted.
// Every bad row is reported with its line number; nothing is returned unless
// the whole file is valid, so a replay never publishes half a file.
func ReadReplay(path string, c *contract.Contract, newID func() string) ([]map[string]any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadReplayFile, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = false
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: %s:1: reading header: %v", ErrBadReplayFile, path, err)
	}
	types := map[string]contract.FieldType{}
	for _, fd := range c.Fields {
		types[fd.Name] = fd.Type
	}
	for i, h := range header {
		header[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, ok := types[header[i]]; !ok {
			return nil, fmt.Errorf("%w: %s:1: column %d %q is not a field of contract %s v%d",
				ErrBadReplayFile, path, i+1, header[i], c.Event, c.Version)
		}
	}
	var (
		events []map[string]any
		bad    []string
	)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A malformed record (a bare or unterminated quote) comes without
			// fields, so FieldPos would panic: the line is in the error.
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad = append(bad, fmt.Sprintf("%s:%d: %v", path, pe.Line, pe.Err))
			} else {
				bad = append(bad, fmt.Sprintf("%s: %v", path, err))
			}
			if len(bad) >= maxReplayErrors {
				break
			}
			continue
		}
		line, _ := r.FieldPos(0)
		ev, err := rowEvent(header, rec, types, c.Event, newID)
		if err == nil {
			_, err = c.Decode(MarshalOrdered(c, ev))
		}
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s:%d: %v", path, line, err))
			if len(bad) >= maxReplayErrors {
				break
			}
			continue
		}
		events = append(events, ev)
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("%w: %d bad row(s), nothing published:\n  %s", ErrBadReplayFile, len(bad), strings.Join(bad, "\n  "))
	}
	return events, nil
}

func rowEvent(header, rec []string, types map[string]contract.FieldType, event string, newID func() string) (map[string]any, error) {
	ev := make(map[string]any, len(header)+2)
	for i, name := range header {
		cell := strings.TrimSpace(rec[i])
		if cell == "" {
			continue
		}
		switch types[name] {
		case contract.Int64:
			v, err := strconv.ParseInt(cell, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("field %s: %q is not an integer", name, cell)
			}
			ev[name] = v
		case contract.Float64:
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil {
				return nil, fmt.Errorf("field %s: %q is not a number", name, cell)
			}
			ev[name] = v
		case contract.Bool:
			v, err := strconv.ParseBool(cell)
			if err != nil {
				return nil, fmt.Errorf("field %s: %q is not a boolean", name, cell)
			}
			ev[name] = v
		default:
			ev[name] = cell
		}
	}
	if _, ok := ev["event_type"]; !ok {
		ev["event_type"] = event
	}
	if _, ok := ev["event_id"]; !ok {
		ev["event_id"] = newID()
	}
	return ev, nil
}

func (p *Producer) replay(ctx context.Context, label string) error {
	events, err := ReadReplay(p.cfg.Replay, p.contract, func() string { return p.rng.UUID().String() })
	if err != nil {
		return err
	}
	p.progress = NewProgress(p.cfg.Progress, label, len(events))
	for _, ev := range events {
		t, err := time.Parse(time.RFC3339Nano, fmt.Sprint(ev["event_ts"]))
		if err != nil {
			return fmt.Errorf("%w: event_ts %v: %v", ErrBadReplayFile, ev["event_ts"], err)
		}
		if err := p.publishEvent(ctx, ev, t); err != nil {
			return err
		}
	}
	return nil
}

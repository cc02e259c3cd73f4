package domainkit

import (
	"context"
	"fmt"
	"strings"
	"text/template"

	"github.com/meshterious/warehouse/platform/mesh"
	"github.com/meshterious/warehouse/platform/query"
)

// upstreamRows runs an event's upstream query (domain.yaml events[].upstream)
// for each region: the rows of other domains' data products that the
// generator reacts to. A domain reads another domain only this way, through
// the lakehouse, never by importing its code.
func (a *App) upstreamRows(ctx context.Context, rt *mesh.Runtime, event string, regions []string) (map[string][]map[string]any, error) {
	decl, err := a.Domain.Spec.Event(event)
	if err != nil || strings.TrimSpace(decl.Upstream) == "" {
		return nil, err
	}
	tmpl, err := template.New(event + ".upstream").Option("missingkey=error").Parse(decl.Upstream)
	if err != nil {
		return nil, fmt.Errorf("domain.yaml: events[%s].upstream: %w", event, err)
	}
	lh, err := rt.OpenLakehouse(ctx)
	if err != nil {
		return nil, err
	}
	defer lh.Close()
	eng, err := query.NewEngine(ctx, lh, query.Config{Logger: rt.Logger})
	if err != nil {
		return nil, err
	}
	defer eng.Close()
	out := map[string][]map[string]any{}
	for _, r := range regions {
		var sql strings.Builder
		if err := tmpl.Execute(&sql, map[string]string{"Region": r}); err != nil {
			return nil, fmt.Errorf("domain.yaml: events[%s].upstream: %w", event, err)
		}
		res, err := eng.Query(ctx, sql.String())
		if err != nil {
			return nil, fmt.Errorf("reading the upstream of %s (%s): %w; produce and transform the upstream domain first", event, strings.Join(strings.Fields(sql.String()), " "), err)
		}
		rows := make([]map[string]any, len(res.Rows))
		for i, row := range res.Rows {
			m := make(map[string]any, len(res.Columns))
			for j, c := range res.Columns {
				m[c] = row[j]
			}
			rows[i] = m
		}
		if len(rows) == 0 {
			return nil, fmt.Errorf("the upstream of %s is empty for region %s: produce, ingest and transform the upstream domain first", event, r)
		}
		out[r] = rows
	}
	return out, nil
}

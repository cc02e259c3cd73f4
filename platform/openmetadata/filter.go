package openmetadata

import (
	"maps"
	"slices"
)

// ForDomain keeps the bodies a domain's refresh sends: the mesh-wide ones
// (classification, governance, teams, glossary, services, database), the
// domain and its data product, the assets of the domain (schema, tables,
// topics, pipelines, dashboards, and any other body naming the domain as
// its only domain) and the lineage edges into them. Entities of
// other domains that its edges start from are looked up on the server, so
// domains refresh in their depends_on order.
func ForDomain(bodies []Body, domain string) []Body {
	kept := map[string]bool{}
	var out []Body
	for _, b := range bodies {
		keep := true
		switch b.Type.Name {
		case TypeDomain.Name:
			keep = b.FQN == FQN(domain)
		case TypeDataProduct.Name:
			keep = b.FQN == FQN(dataProductName(domain))
		case TypeDatabaseSchema.Name, TypeTable.Name, TypeTopic.Name, TypePipeline.Name, TypeDashboard.Name:
			ds, _ := b.Data["domains"].([]any)
			keep = len(ds) == 1 && ds[0] == FQN(domain)
		case TypeLineage.Name:
			edge, _ := b.Data["edge"].(map[string]any)
			to, _ := edge["toEntity"].(map[string]any)
			keep = kept[to["type"].(string)+":"+to["fullyQualifiedName"].(string)]
		default:
			// Any other asset that names its domain (a chart, a data
			// model) belongs to that domain's refresh alone.
			if _, ok := b.Data["domains"]; ok {
				keep = assetDomain(b) == FQN(domain)
			}
		}
		if keep {
			kept[b.Type.Name+":"+b.FQN] = true
			out = append(out, b)
		}
	}
	return out
}

// ForTable keeps the bodies an ingest DAG's registration of its table sends:
// the table, the lineage edges into it, and what they refer to, followed
// through (schema, database and service; domain and data product; owners,
// tags and glossary terms; an edge's pipeline and source). Assets of other
// domains that an edge starts from are looked up on the server instead, as
// ForDomain does. Nothing is kept when no table has that FQN.
func ForTable(bodies []Body, tableFQN string) []Body {
	byKey := map[refKey]int{}
	holders := map[string]refKey{}
	for i, b := range bodies {
		if b.Type.Name != TypeLineage.Name {
			k := refKey{b.Type.Name, b.FQN}
			byKey[k] = i
			holders[PlaceholderID(k.typ, k.fqn)] = k
		}
	}
	ti, ok := byKey[refKey{TypeTable.Name, tableFQN}]
	if !ok {
		return nil
	}
	domain := assetDomain(bodies[ti])
	kept := map[int]bool{}
	queue := []int{ti}
	for i, b := range bodies {
		if b.Type.Name != TypeLineage.Name {
			continue
		}
		edge, _ := b.Data["edge"].(map[string]any)
		to, _ := edge["toEntity"].(map[string]any)
		if to["type"] == TypeTable.Name && to["fullyQualifiedName"] == tableFQN {
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		if kept[i] {
			continue
		}
		kept[i] = true
		for _, k := range bodyRefs(bodies[i], byKey, holders) {
			j := byKey[k]
			if _, ok := bodies[j].Data["domains"]; (ok || isAsset(k.typ)) && assetDomain(bodies[j]) != domain {
				continue
			}
			queue = append(queue, j)
		}
	}
	var out []Body
	for i, b := range bodies {
		if kept[i] {
			out = append(out, b)
		}
	}
	return out
}

func isAsset(typ string) bool {
	switch typ {
	case TypeDatabaseSchema.Name, TypeTable.Name, TypeTopic.Name, TypePipeline.Name, TypeDashboard.Name:
		return true
	}
	return false
}

// assetDomain is the one domain an asset body names ("" for none or several).
func assetDomain(b Body) string {
	if ds, _ := b.Data["domains"].([]any); len(ds) == 1 {
		s, _ := ds[0].(string)
		return s
	}
	return ""
}

// refFields are the body fields that name another entity by FQN, with the
// types it may be.
var refFields = map[string][]string{
	"service":        {TypeDatabaseService.Name, TypeMessagingService.Name, TypePipelineService.Name, TypeDashboardService.Name},
	"database":       {TypeDatabase.Name},
	"databaseSchema": {TypeDatabaseSchema.Name},
	"domains":        {TypeDomain.Name},
	"dataProducts":   {TypeDataProduct.Name},
	"classification": {TypeClassification.Name},
	"glossary":       {TypeGlossary.Name},
	"parent":         {TypeTag.Name, TypeGlossaryTerm.Name},
	"relatedTerms":   {TypeGlossaryTerm.Name},
	"tagFQN":         {TypeTag.Name, TypeGlossaryTerm.Name},
	"policies":       {TypePolicy.Name},
}

// bodyRefs lists the entities of the push that a body refers to: by
// placeholder id (entity references, role ids) or by FQN in refFields.
func bodyRefs(b Body, byKey map[refKey]int, holders map[string]refKey) []refKey {
	var out []refKey
	seen := map[refKey]bool{}
	add := func(k refKey) {
		if _, ok := byKey[k]; ok && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	var walk func(field string, v any)
	walk = func(field string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(x)) {
				walk(k, x[k])
			}
		case []any:
			for _, e := range x {
				walk(field, e)
			}
		case string:
			if k, ok := holders[x]; ok {
				add(k)
			}
			for _, typ := range refFields[field] {
				add(refKey{typ, x})
				add(refKey{typ, QuoteName(x)})
			}
		}
	}
	walk("", b.Data)
	return out
}

package openmetadata

// ForDomain keeps the bodies a domain's refresh sends: the mesh-wide ones
// (classification, governance, teams, glossary, services, database), the
// domain and its data product, the assets of the domain (schema, tables,
// topics, pipelines, dashboards) and the lineage edges into them. Entities of
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
		}
		if keep {
			kept[b.Type.Name+":"+b.FQN] = true
			out = append(out, b)
		}
	}
	return out
}

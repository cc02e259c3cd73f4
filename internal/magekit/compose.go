package magekit

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/meshterious/warehouse/platform/domainspec"
)

// ComposePath is the compose file, relative to the repository root.
const ComposePath = "docker-compose.yml"

// Compose profiles besides one per domain.
var (
	// BrokerProfiles need RabbitMQ and MinIO (the core profile and those that run domain binaries;
	// query, meshctl serve, and bi's meshctl publish read MinIO).
	BrokerProfiles = []string{"core", "airflow", "query", "bi"}
	// PostgresProfiles need PostgreSQL (Iceberg catalog, Airflow and OpenMetadata databases;
	// bi's meshctl publish reads the catalog).
	PostgresProfiles = []string{"core", "airflow", "metadata", "query", "bi"}
	// ToolProfiles are the profiles whose own services are not generated.
	ToolProfiles = []string{"core", "airflow", "metadata", "bi", "query"}
)

// ComposeProfile is the compose profile of a domain: compose_profile, else its name.
func ComposeProfile(d *domainspec.Domain) string {
	if d.ComposeProfile != "" {
		return d.ComposeProfile
	}
	return d.Name
}

// ComposeBlocks renders the generated blocks of docker-compose.yml, by block name.
func ComposeBlocks(domains []*domainspec.Domain) map[string]string {
	var profiles []string
	for _, d := range domains {
		profiles = append(profiles, ComposeProfile(d))
	}
	list := func(ps ...[]string) string {
		var all []string
		for _, p := range ps {
			all = append(all, p...)
		}
		return "[" + strings.Join(all, ", ") + "]"
	}
	var top bytes.Buffer
	fmt.Fprintf(&top, "x-broker-profiles: &broker-profiles %s\n", list(BrokerProfiles, profiles))
	fmt.Fprintf(&top, "x-postgres-profiles: &postgres-profiles %s\n", list(PostgresProfiles, profiles))

	var svc bytes.Buffer
	for _, d := range domains {
		p := ComposeProfile(d)
		fmt.Fprintf(&svc, "  # %s: topology and raw tables once, then one ingester and one live producer per event.\n", d.Name)
		fmt.Fprintf(&svc, "  %s-setup:\n    <<: *mesh-app\n    profiles: [%s]\n    command: [%q, \"setup\"]\n    restart: \"no\"\n    depends_on: *mesh-deps\n", d.Name, p, d.Name)
		for _, ev := range d.Events {
			after := fmt.Sprintf("    depends_on:\n      %s-setup: {condition: service_completed_successfully}\n", d.Name)
			fmt.Fprintf(&svc, "  %s-ingest-%s:\n    <<: *mesh-app\n    profiles: [%s]\n    command: [%q, \"ingest\", \"--event\", %q, \"--region\", \"all\"]\n    restart: unless-stopped\n    stop_grace_period: 30s\n%s",
				d.Name, ev.Name, p, d.Name, ev.Name, after)
			fmt.Fprintf(&svc, "  %s-produce-%s:\n    <<: *mesh-app\n    profiles: [%s]\n    command: [%q, \"produce\", \"--event\", %q, \"--region\", \"all\", \"--live\", \"--interval\", \"1s\", \"--per-tick\", \"5\"]\n    restart: unless-stopped\n%s",
				d.Name, ev.Name, p, d.Name, ev.Name, after)
		}
	}
	return map[string]string{"profiles": top.String(), "domain services": svc.String()}
}

var blockRE = regexp.MustCompile(`(?ms)^([ ]*# BEGIN generated: ([a-z ]+?)(?: \([^\n]*\))?\n)(.*?)^([ ]*# END generated: ([a-z ]+)\n)`)

// ComposeFile returns docker-compose.yml with its generated blocks (between
// "# BEGIN generated: <name>" and "# END generated: <name>") rendered from
// the domains; everything else in the file is written by hand.
func ComposeFile(root string, domains []*domainspec.Domain) ([]byte, error) {
	p := filepath.Join(root, ComposePath)
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	blocks := ComposeBlocks(domains)
	seen := map[string]bool{}
	var bad error
	out := blockRE.ReplaceAllFunc(data, func(m []byte) []byte {
		sub := blockRE.FindSubmatch(m)
		name := string(sub[2])
		if string(sub[5]) != name {
			bad = fmt.Errorf("%s: block %q ends with %q", ComposePath, name, sub[5])
			return m
		}
		content, ok := blocks[name]
		if !ok {
			bad = fmt.Errorf("%s: unknown generated block %q", ComposePath, name)
			return m
		}
		seen[name] = true
		return []byte(string(sub[1]) + content + string(sub[4]))
	})
	if bad != nil {
		return nil, bad
	}
	for name := range blocks {
		if !seen[name] {
			return nil, fmt.Errorf("%s: missing the generated block %q (# BEGIN generated: %s ... # END generated: %s)", ComposePath, name, name, name)
		}
	}
	return out, nil
}

package magekit

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/domainspec"
)

var (
	varRE    = regexp.MustCompile(`(^|[^$])\$\{([A-Za-z_][A-Za-z0-9_]*)`)
	secretRE = regexp.MustCompile(`(?i)^\s*-?\s*"?([A-Z0-9_.]*(PASSWORD|PASS|SECRET|FERNET_KEY|ACCESS_KEY)[A-Z0-9_]*)"?\s*[:=]\s*(.+)$`)
	tagRE    = regexp.MustCompile(`^[^:@]+(:[^:/]+)$`)
)

// TestComposeFile loads docker-compose.yml with compose-go for every profile
// (there is no Docker engine here) and checks what the issue asks of it.
func TestComposeFile(t *testing.T) {
	root := filepath.Join("..", "..")
	path := filepath.Join(root, ComposePath)
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	env, err := config.ReadDotEnv(filepath.Join(root, ".env"))
	require.NoError(t, err)
	domains, err := domainspec.LoadAll(root)
	require.NoError(t, err)

	t.Run("every ${VAR} has a local default in .env", func(t *testing.T) {
		for _, m := range varRE.FindAllStringSubmatch(string(raw), -1) {
			_, ok := env[m[2]]
			assert.True(t, ok, "${%s} is not defined in .env", m[2])
		}
	})
	t.Run("no secret literal", func(t *testing.T) {
		for i, line := range strings.Split(string(raw), "\n") {
			if m := secretRE.FindStringSubmatch(line); m != nil {
				assert.Contains(t, m[3], "${", "line %d: %s must come from .env as ${VAR}", i+1, m[1])
			}
		}
	})
	t.Run("generated blocks are up to date", func(t *testing.T) {
		want, err := ComposeFile(root, domains)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(raw), "run `go run mage.go compose`")
	})

	profiles := append([]string(nil), ToolProfiles...)
	for _, d := range domains {
		profiles = append(profiles, ComposeProfile(d))
	}
	for _, profile := range profiles {
		t.Run("profile "+profile, func(t *testing.T) {
			opts, err := cli.NewProjectOptions([]string{path},
				cli.WithWorkingDirectory(root), cli.WithName("mesh-warehouse"),
				cli.WithEnvFiles(filepath.Join(root, ".env")), cli.WithDotEnv,
				cli.WithProfiles([]string{profile}))
			require.NoError(t, err)
			p, err := opts.LoadProject(context.Background())
			require.NoError(t, err)
			require.NotEmpty(t, p.Services)
			for name, s := range p.Services {
				if s.Build == nil {
					m := tagRE.FindStringSubmatch(s.Image)
					if assert.NotNil(t, m, "%s: image %q needs a version tag", name, s.Image) {
						assert.NotEqual(t, ":latest", m[1], "%s: image %q is not pinned", name, s.Image)
						assert.Regexp(t, `\d`, m[1], "%s: image %q is not pinned to a version", name, s.Image)
					}
				}
				for dep, cond := range s.DependsOn {
					target, ok := p.Services[dep]
					require.True(t, ok, "%s depends on %s, which profile %s lacks", name, dep, profile)
					if cond.Condition == types.ServiceConditionHealthy {
						hc := target.HealthCheck
						assert.True(t, hc != nil && !hc.Disable && len(hc.Test) > 0, "%s waits for %s to be healthy, which has no health check", name, dep)
					}
				}
				for _, v := range s.Volumes {
					if v.Type == types.VolumeTypeVolume {
						_, ok := p.Volumes[v.Source]
						assert.True(t, ok, "%s: volume %s is not a named volume", name, v.Source)
					}
				}
			}
		})
	}

	t.Run("each domain has its profile", func(t *testing.T) {
		for _, d := range domains {
			opts, err := cli.NewProjectOptions([]string{path}, cli.WithWorkingDirectory(root), cli.WithName("mesh-warehouse"),
				cli.WithEnvFiles(filepath.Join(root, ".env")), cli.WithDotEnv, cli.WithProfiles([]string{ComposeProfile(d)}))
			require.NoError(t, err)
			p, err := opts.LoadProject(context.Background())
			require.NoError(t, err)
			want := []string{d.Name + "-setup"}
			for _, ev := range d.Events {
				want = append(want, d.Name+"-ingest-"+ev.Name, d.Name+"-produce-"+ev.Name)
			}
			for _, s := range want {
				svc, ok := p.Services[s]
				if assert.True(t, ok, "profile %s lacks service %s", ComposeProfile(d), s) {
					assert.NotNil(t, svc.Build, "%s is built from this repository", s)
					assert.Equal(t, d.Name, svc.Command[0])
				}
			}
		}
	})
}

package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Environment variables understood by the platform.
const (
	EnvDataDir       = "MESH_DATA_DIR"
	EnvAMQPURL       = "MESH_AMQP_URL"
	EnvCatalog       = "MESH_CATALOG"
	EnvCatalogURI    = "MESH_CATALOG_URI"
	EnvCatalogName   = "MESH_CATALOG_NAME"
	EnvWarehouse     = "MESH_WAREHOUSE"
	EnvS3Endpoint    = "MESH_S3_ENDPOINT"
	EnvS3Region      = "MESH_S3_REGION"
	EnvS3AccessKeyID = "MESH_S3_ACCESS_KEY_ID"
	EnvS3SecretKey   = "MESH_S3_SECRET_ACCESS_KEY"
	EnvLogLevel      = "MESH_LOG_LEVEL"
	EnvCommitRetries = "MESH_COMMIT_RETRIES" // retries of a conflicting Iceberg commit
	EnvDotEnv        = "MESH_DOTENV"         // path of the .env file; "off" disables it
	EnvRepoRoot      = "MESH_REPO_ROOT"      // the repository root (domains/, .env) when running outside it
	// EnvRole is the caller's role for data governance: meshctl sql masks the
	// PII columns it may not see (roles: metadata/governance.yaml and each
	// domain's owners.team; unset means the governance's default_role).
	EnvRole = "MESH_ROLE"
	// OpenMetadata (meshctl metadata push): the server URL, and a bot's JWT
	// token, a secret read from the environment only, never printed.
	EnvOpenMetadataURL   = "MESH_OPENMETADATA_URL"
	EnvOpenMetadataToken = "MESH_OPENMETADATA_TOKEN"
)

// Catalog kinds.
const (
	CatalogSQLite   = "sqlite"
	CatalogPostgres = "postgres"
)

// Defaults of the embedded configuration.
const (
	DefaultAMQPURL     = "amqp://guest:guest@127.0.0.1:5672/"
	DefaultCatalogName = "mesh"
	DefaultDataDirName = ".mesh"
)

// Config is the runtime configuration of the platform.
type Config struct {
	DataDir           string
	AMQPURL           string
	Catalog           string
	CatalogURI        string
	CatalogName       string
	Warehouse         string
	S3Endpoint        string
	S3Region          string
	S3AccessKeyID     string
	S3SecretAccessKey string
	LogLevel          string
	CommitRetries     int // 0: the lakehouse's default
	// Role is the caller's governance role ("" for the default role).
	Role string

	// Source tells, for each environment variable, where its value came from:
	// "env", the .env path, or "default".
	Source map[string]string
}

// Load reads the configuration from the process environment and the
// repository's .env file, then validates it.
func Load() (Config, error) {
	dotenv := map[string]string{}
	dotenvPath := os.Getenv(EnvDotEnv)
	if dotenvPath == "" {
		if root, err := RepoRoot(); err == nil {
			dotenvPath = filepath.Join(root, ".env")
		}
	}
	if dotenvPath != "" && dotenvPath != "off" {
		m, err := ReadDotEnv(dotenvPath)
		switch {
		case err == nil:
			dotenv = m
		case errors.Is(err, os.ErrNotExist) && os.Getenv(EnvDotEnv) == "":
		default:
			return Config{}, err
		}
	}
	cfg := FromLookup(func(k string) (string, string, bool) {
		if v, ok := os.LookupEnv(k); ok && v != "" {
			return v, "env", true
		}
		if v, ok := dotenv[k]; ok && v != "" {
			return v, dotenvPath, true
		}
		return "", "", false
	})
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// FromLookup builds a configuration from a lookup function returning a value,
// its source and whether it is set; unset values get their defaults.
func FromLookup(lookup func(key string) (value, source string, ok bool)) Config {
	cfg := Config{Source: map[string]string{}}
	get := func(key, def string) string {
		if v, src, ok := lookup(key); ok {
			cfg.Source[key] = src
			return v
		}
		if def != "" {
			cfg.Source[key] = "default"
		}
		return def
	}
	dataDir := get(EnvDataDir, "")
	if dataDir == "" {
		dataDir = defaultDataDir()
		cfg.Source[EnvDataDir] = "default"
	}
	cfg.DataDir = dataDir
	cfg.AMQPURL = get(EnvAMQPURL, DefaultAMQPURL)
	cfg.Catalog = strings.ToLower(get(EnvCatalog, CatalogSQLite))
	cfg.CatalogURI = get(EnvCatalogURI, "")
	if cfg.CatalogURI == "" && cfg.Catalog == CatalogSQLite {
		cfg.CatalogURI = DefaultCatalogURI(cfg.DataDir)
		cfg.Source[EnvCatalogURI] = "default"
	}
	cfg.CatalogName = get(EnvCatalogName, DefaultCatalogName)
	cfg.Warehouse = get(EnvWarehouse, "")
	if cfg.Warehouse == "" {
		cfg.Warehouse = DefaultWarehouse(cfg.DataDir)
		cfg.Source[EnvWarehouse] = "default"
	}
	cfg.S3Endpoint = get(EnvS3Endpoint, "")
	cfg.S3Region = get(EnvS3Region, "")
	cfg.S3AccessKeyID = get(EnvS3AccessKeyID, "")
	cfg.S3SecretAccessKey = get(EnvS3SecretKey, "")
	cfg.LogLevel = get(EnvLogLevel, "info")
	cfg.Role = get(EnvRole, "")
	if v := get(EnvCommitRetries, ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1 // reported by Validate
		}
		cfg.CommitRetries = n
	}
	return cfg
}

// IsS3 reports whether the warehouse lives in S3-compatible object storage.
func (c Config) IsS3() bool { return IsS3Warehouse(c.Warehouse) }

// S3 returns the object-store settings.
func (c Config) S3() S3Settings {
	return S3Settings{Endpoint: c.S3Endpoint, Region: c.S3Region, AccessKeyID: c.S3AccessKeyID, SecretAccessKey: c.S3SecretAccessKey}
}

// Validate checks the configuration; each error wraps ErrInvalid and names
// the variable to fix. The rules are those of rules.go, shared with
// lakehouse.Config.Validate.
func (c Config) Validate() error {
	var errs []error
	add := func(err error) {
		if err == nil {
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				errs = append(errs, fmt.Errorf("%w: %w", ErrInvalid, e))
			}
			return
		}
		errs = append(errs, fmt.Errorf("%w: %w", ErrInvalid, err))
	}
	if c.DataDir == "" {
		add(fmt.Errorf("%s is empty", EnvDataDir))
	}
	add(CheckAMQPURL(c.AMQPURL))
	add(CheckCatalog(c.Catalog, c.CatalogURI, c.CatalogName))
	add(CheckWarehouse(c.Warehouse, c.S3()))
	add(CheckCommitRetries(c.CommitRetries))
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		add(fmt.Errorf("%s must be debug, info, warn or error, got %q", EnvLogLevel, c.LogLevel))
	}
	if c.Role != "" && !roleRE.MatchString(c.Role) {
		add(fmt.Errorf("%s %q must be a role name like pii-reader (lower case, digits, - and _)", EnvRole, c.Role))
	}
	return errors.Join(errs...)
}

// Redacted returns a copy with secrets masked, safe to print.
func (c Config) Redacted() Config {
	r := c
	r.AMQPURL = RedactURL(c.AMQPURL)
	r.CatalogURI = RedactURL(c.CatalogURI)
	r.Warehouse = RedactURL(c.Warehouse)
	r.S3Endpoint = RedactURL(c.S3Endpoint)
	if r.S3SecretAccessKey != "" {
		r.S3SecretAccessKey = Redacted
	}
	return r
}

// Secrets lists the secret values of the configuration (passwords of the
// AMQP and catalog URLs, the S3 secret key), for RedactText to mask in text
// that a library wrote.
func (c Config) Secrets() []string {
	out := append(URLSecrets(c.AMQPURL), URLSecrets(c.CatalogURI)...)
	if c.S3SecretAccessKey != "" {
		out = append(out, c.S3SecretAccessKey)
	}
	return out
}

// String prints the configuration with secrets masked.
func (c Config) String() string {
	r := c.Redacted()
	var b strings.Builder
	for _, kv := range r.Pairs() {
		src := c.Source[kv[0]]
		if src == "" {
			src = "unset"
		}
		fmt.Fprintf(&b, "%-26s %-40s (%s)\n", kv[0], kv[1], src)
	}
	return b.String()
}

// Pairs lists variable names and values in a stable order.
func (c Config) Pairs() [][2]string {
	return [][2]string{
		{EnvDataDir, c.DataDir}, {EnvAMQPURL, c.AMQPURL}, {EnvCatalog, c.Catalog},
		{EnvCatalogURI, c.CatalogURI}, {EnvCatalogName, c.CatalogName}, {EnvWarehouse, c.Warehouse},
		{EnvS3Endpoint, c.S3Endpoint}, {EnvS3Region, c.S3Region}, {EnvS3AccessKeyID, c.S3AccessKeyID},
		{EnvS3SecretKey, c.S3SecretAccessKey}, {EnvLogLevel, c.LogLevel}, {EnvRole, c.Role},
	}
}

// ReadDotEnv parses a .env file of KEY=VALUE lines; blank lines and # comments
// are ignored, values may be single- or double-quoted. Errors name file and line.
func ReadDotEnv(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseDotEnv(path, data)
}

// ParseDotEnv parses .env content; path is used in error messages.
func ParseDotEnv(path string, data []byte) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		text = strings.TrimPrefix(text, "export ")
		key, val, ok := strings.Cut(text, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" || strings.ContainsAny(key, " \t") {
			return nil, fmt.Errorf("%w: %s:%d: expected KEY=VALUE, got %q", ErrInvalid, path, line, text)
		}
		val = strings.TrimSpace(val)
		if n := len(val); n >= 2 && (val[0] == '"' && val[n-1] == '"' || val[0] == '\'' && val[n-1] == '\'') {
			val = val[1 : n-1]
		} else if i := strings.Index(val, " #"); i >= 0 {
			val = strings.TrimSpace(val[:i])
		}
		out[key] = val
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return out, nil
}

// RepoRoot finds the repository root, the directory holding domains/ and
// .env: $MESH_REPO_ROOT when set (the tools run outside the repository, e.g.
// in a container), else the nearest directory upwards from the working
// directory that holds go.work. It is the platform's one repository-root
// lookup (package dags uses it too).
func RepoRoot() (string, error) {
	if r := os.Getenv(EnvRepoRoot); r != "" {
		return r, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding the repository root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.work above the working directory: set %s to the repository root (the directory holding domains/)", EnvRepoRoot)
		}
		dir = parent
	}
}

var roleRE = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

func defaultDataDir() string {
	if root, err := RepoRoot(); err == nil {
		return filepath.Join(root, DefaultDataDirName)
	}
	return DefaultDataDirName
}

package magekit

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Reachable reports whether a TCP address accepts connections.
func Reachable(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func waitFor(addr string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if Reachable(addr) {
			return true
		}
		time.Sleep(500 * time.Millisecond)
	}
	return false
}

// EnsureRabbitMQ makes sure a broker listens on addr: it uses a running one,
// starts an installed one, or says exactly how to get one.
func EnsureRabbitMQ(addr string) error {
	if Reachable(addr) {
		return nil
	}
	if !strings.HasPrefix(addr, "127.0.0.1:") && !strings.HasPrefix(addr, "localhost:") {
		return fmt.Errorf("RabbitMQ at %s is not reachable (MESH_AMQP_URL): start it, or unset MESH_AMQP_URL to use a local one", addr)
	}
	server, err := exec.LookPath("rabbitmq-server")
	if err != nil {
		return fmt.Errorf("RabbitMQ is not running on %s and not installed.\n"+
			"  Debian/Ubuntu: sudo apt-get install -y rabbitmq-server && sudo rabbitmq-server -detached\n"+
			"  macOS:         brew install rabbitmq && brew services start rabbitmq\n"+
			"  Docker:        docker-compose --profile core up -d rabbitmq\n"+
			"  Elsewhere:     point MESH_AMQP_URL at a RabbitMQ 3.10+ (quorum queues)", addr)
	}
	fmt.Printf("starting RabbitMQ (%s -detached)...\n", server)
	cmd := exec.Command(server, "-detached")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("starting RabbitMQ: %w (try: sudo rabbitmq-server -detached)", err)
	}
	if !waitFor(addr, 90*time.Second) {
		return fmt.Errorf("RabbitMQ did not start listening on %s within 90s: see /var/log/rabbitmq/", addr)
	}
	// The port opens before the broker accepts work; rabbitmqctl await_startup waits for that.
	if ctl, err := exec.LookPath("rabbitmqctl"); err == nil {
		_ = exec.Command(ctl, "await_startup").Run()
	}
	return nil
}

// EnsurePostgres makes sure PostgreSQL listens on addr, starting a local
// Debian cluster when one is installed.
func EnsurePostgres(addr string) error {
	if Reachable(addr) {
		return nil
	}
	versions, _ := filepath.Glob("/etc/postgresql/*")
	if len(versions) == 0 {
		return fmt.Errorf("PostgreSQL is not running on %s and not installed.\n"+
			"  Debian/Ubuntu: sudo apt-get install -y postgresql (trust auth for local tests)\n"+
			"  Docker:        docker-compose --profile core up -d postgres\n"+
			"  Elsewhere:     set MESH_TEST_POSTGRES_DSN=postgres://user@host:5432/db", addr)
	}
	version := filepath.Base(versions[len(versions)-1])
	fmt.Printf("starting PostgreSQL %s...\n", version)
	cmd := exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("starting PostgreSQL: %w (try: sudo pg_ctlcluster %s main start)", err, version)
	}
	if !waitFor(addr, 60*time.Second) {
		return fmt.Errorf("PostgreSQL did not start listening on %s within 60s", addr)
	}
	return nil
}

// MinIOVersion is the MinIO server built for the S3 tests (see ../shared/NOTES.md).
const MinIOVersion = "github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c"

// EnsureMinIO builds the MinIO server into GOPATH/bin once and returns its path.
func EnsureMinIO() (string, error) {
	if p := os.Getenv("MESH_MINIO_BIN"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p, nil
	}
	gopath, err := exec.Command("go", "env", "GOPATH").Output()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(strings.TrimSpace(strings.Split(string(gopath), string(os.PathListSeparator))[0]), "bin", "minio")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	fmt.Printf("building the MinIO server once into %s (about 3 minutes)...\n", bin)
	cmd := exec.Command("go", "install", MinIOVersion)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building MinIO (%s): %w", MinIOVersion, err)
	}
	return bin, nil
}

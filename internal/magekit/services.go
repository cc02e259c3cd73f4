package magekit

import (
	"bytes"
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

func isLocal(addr string) bool {
	return strings.HasPrefix(addr, "127.0.0.1:") || strings.HasPrefix(addr, "localhost:")
}

// canInstallPackages reports whether missing services may be installed from
// the distribution: root on a machine with apt-get (Debian, Ubuntu).
func canInstallPackages() bool {
	if os.Geteuid() != 0 {
		return false
	}
	_, err := exec.LookPath("apt-get")
	return err == nil
}

// aptInstall installs Debian packages, refreshing the package lists first;
// apt-get's own progress is shown. Installing an installed package is a no-op.
func aptInstall(pkgs ...string) error {
	fmt.Printf("installing %s from the distribution's packages (apt-get, as root)...\n", strings.Join(pkgs, ", "))
	start := time.Now()
	env := append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	for _, args := range [][]string{{"update", "-q"}, append([]string{"install", "-y", "-q", "--no-install-recommends"}, pkgs...)} {
		cmd := exec.Command("apt-get", args...)
		cmd.Stdout, cmd.Stderr, cmd.Env = os.Stdout, os.Stderr, env
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("apt-get %s: %w", strings.Join(args, " "), err)
		}
	}
	fmt.Printf("installed %s in %s\n", strings.Join(pkgs, ", "), time.Since(start).Round(time.Second))
	return nil
}

// EnsureRabbitMQ makes sure a broker listens on addr: it uses a running one,
// starts an installed one, installs one from the distribution's packages when
// it runs as root on Debian or Ubuntu, or says exactly how to get one.
func EnsureRabbitMQ(addr string) error {
	if Reachable(addr) {
		return nil
	}
	if !isLocal(addr) {
		return fmt.Errorf("RabbitMQ at %s is not reachable (MESH_AMQP_URL): start it, or unset MESH_AMQP_URL to use a local one", addr)
	}
	server, err := exec.LookPath("rabbitmq-server")
	if err != nil && canInstallPackages() {
		if err := aptInstall("rabbitmq-server"); err != nil {
			return fmt.Errorf("installing RabbitMQ: %w", err)
		}
		server, err = exec.LookPath("rabbitmq-server")
	}
	if err != nil {
		return fmt.Errorf("RabbitMQ is not running on %s and not installed.\n"+
			"  Debian/Ubuntu: sudo apt-get install -y rabbitmq-server && sudo rabbitmq-server -detached\n"+
			"  macOS:         brew install rabbitmq && brew services start rabbitmq\n"+
			"  Docker:        docker compose --profile core up -d rabbitmq\n"+
			"  Elsewhere:     point MESH_AMQP_URL at a RabbitMQ 3.10+ (quorum queues)", addr)
	}
	if err := raiseRabbitMQOpenFiles(); err != nil {
		return err
	}
	fmt.Printf("starting RabbitMQ (%s -detached)...\n", server)
	start := time.Now()
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
	fmt.Printf("RabbitMQ is up on %s (%s)\n", addr, time.Since(start).Round(time.Second))
	return nil
}

// EnsurePostgres makes sure PostgreSQL listens on addr: it uses a running
// server, starts a local Debian cluster, installs one from the distribution's
// packages when it runs as root on Debian or Ubuntu, or says how to get one.
// A local cluster it manages also lets the user postgres connect over
// loopback without a password, which the tests' default DSN uses.
func EnsurePostgres(addr string) error {
	versions, _ := filepath.Glob("/etc/postgresql/*/main")
	if Reachable(addr) {
		if len(versions) > 0 && isLocal(addr) {
			return trustLoopback(filepath.Base(filepath.Dir(versions[len(versions)-1])))
		}
		return nil
	}
	if len(versions) == 0 && isLocal(addr) && canInstallPackages() {
		if err := aptInstall("postgresql"); err != nil {
			return fmt.Errorf("installing PostgreSQL: %w", err)
		}
		versions, _ = filepath.Glob("/etc/postgresql/*/main")
	}
	if len(versions) == 0 || !isLocal(addr) {
		return fmt.Errorf("PostgreSQL is not running on %s and not installed.\n"+
			"  Debian/Ubuntu: sudo apt-get install -y postgresql (trust auth for local tests)\n"+
			"  Docker:        docker compose --profile core up -d postgres\n"+
			"  Elsewhere:     set MESH_TEST_POSTGRES_DSN=postgres://user@host:5432/db", addr)
	}
	version := filepath.Base(filepath.Dir(versions[len(versions)-1]))
	if err := trustLoopback(version); err != nil {
		return err
	}
	fmt.Printf("starting PostgreSQL %s...\n", version)
	cmd := exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("starting PostgreSQL: %w (try: sudo pg_ctlcluster %s main start)", err, version)
	}
	if !waitFor(addr, 60*time.Second) {
		return fmt.Errorf("PostgreSQL did not start listening on %s within 60s", addr)
	}
	fmt.Printf("PostgreSQL %s is up on %s\n", version, addr)
	return nil
}

// loopbackTrust are the pg_hba.conf lines that let the local superuser in
// over loopback without a password: a development and test cluster only.
const loopbackTrust = "# added by the mesh build: local tests connect as postgres over loopback\n" +
	"host all postgres 127.0.0.1/32 trust\nhost all postgres ::1/128 trust\n"

// trustLoopback puts loopbackTrust first in the cluster's pg_hba.conf (rules
// match top down) and reloads a running cluster. It does nothing when the
// lines are there already or when it may not edit the file.
func trustLoopback(version string) error {
	hba := filepath.Join("/etc/postgresql", version, "main", "pg_hba.conf")
	old, err := os.ReadFile(hba)
	if err != nil || bytes.Contains(old, []byte(loopbackTrust)) || os.Geteuid() != 0 {
		return nil
	}
	fmt.Printf("PostgreSQL %s: letting user postgres connect over loopback without a password (%s)\n", version, hba)
	if err := os.WriteFile(hba, append([]byte(loopbackTrust), old...), 0o640); err != nil {
		return fmt.Errorf("editing %s: %w", hba, err)
	}
	// A stopped cluster reads the file when it starts; a running one on reload.
	if out, err := exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "status").CombinedOutput(); err == nil && bytes.Contains(out, []byte("server is running")) {
		if out, err := exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "reload").CombinedOutput(); err != nil {
			return fmt.Errorf("reloading PostgreSQL %s: %w: %s", version, err, out)
		}
	}
	return nil
}

// rabbitMQEnvConf is sourced by RabbitMQ's start script as the rabbitmq user
// (su resets the soft limit of open files to 1024 on the way), and
// rabbitMQOpenFiles is the line this build adds to it.
const (
	rabbitMQEnvConf   = "/etc/rabbitmq/rabbitmq-env.conf"
	rabbitMQOpenFiles = "\n# The Mesh-terious Warehouse: every quorum queue keeps files open and the tests declare\n" +
		"# hundreds; at 1024 open files the broker stops accepting connections.\nulimit -n \"$(ulimit -Hn)\" 2>/dev/null || true\n"
)

// raiseRabbitMQOpenFiles makes a local RabbitMQ that this build starts run
// with the hard limit of open files, once, saying so; it does nothing when
// not root or when the distribution's configuration file is absent.
func raiseRabbitMQOpenFiles() error {
	old, err := os.ReadFile(rabbitMQEnvConf)
	if err != nil || bytes.Contains(old, []byte(rabbitMQOpenFiles)) || os.Geteuid() != 0 {
		return nil
	}
	fmt.Printf("RabbitMQ: raising its open files limit to the hard limit (%s)\n", rabbitMQEnvConf)
	if err := os.WriteFile(rabbitMQEnvConf, append(old, rabbitMQOpenFiles...), 0o644); err != nil {
		return fmt.Errorf("editing %s: %w", rabbitMQEnvConf, err)
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

package testenv

import (
	"fmt"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// AMQPVhost creates a private RabbitMQ virtual host for the test and returns
// an AMQP URL pointing at it. Exchanges and queues named like production ones
// (orders, ingest_orders_eu-central) then cannot collide with a demo or another
// test. The vhost is deleted when the test ends.
func AMQPVhost(t testing.TB) string {
	t.Helper()
	base := AMQPURL(t)
	ctl, err := exec.LookPath("rabbitmqctl")
	if err != nil {
		Unavailable(t, "rabbitmqctl (needed to create a test vhost)", err.Error())
	}
	name := fmt.Sprintf("mesh_test_%d", time.Now().UnixNano())
	user := "guest"
	if u, err := url.Parse(base); err == nil && u.User != nil {
		user = u.User.Username()
	}
	for _, args := range [][]string{
		{"add_vhost", name},
		{"set_permissions", "-p", name, user, ".*", ".*", ".*"},
	} {
		if out, err := exec.Command(ctl, args...).CombinedOutput(); err != nil {
			t.Fatalf("rabbitmqctl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	t.Cleanup(func() { _ = exec.Command(ctl, "delete_vhost", name).Run() })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// RestartBroker stops and starts the RabbitMQ application, as a broker restart
// does to clients. Only tests that opt in call it (see BrokerRestartAllowed).
func RestartBroker(t testing.TB, down time.Duration) {
	t.Helper()
	for _, step := range []string{"stop_app", "sleep", "start_app", "await_startup"} {
		if step == "sleep" {
			time.Sleep(down)
			continue
		}
		if out, err := exec.Command("rabbitmqctl", step).CombinedOutput(); err != nil {
			t.Fatalf("rabbitmqctl %s: %v\n%s", step, err, out)
		}
	}
}

// EnvBrokerRestart opts in to tests that restart the shared RabbitMQ.
const EnvBrokerRestart = "MESH_TEST_BROKER_RESTART"

// BrokerRestartAllowed skips the test unless restarting the broker is allowed:
// under CI, or with MESH_TEST_BROKER_RESTART=1. Restarting the broker disturbs
// every other client of it, so a developer's machine opts in explicitly.
func BrokerRestartAllowed(t testing.TB) {
	t.Helper()
	if InCI() || getenv(EnvBrokerRestart, "") == "1" {
		if _, err := exec.LookPath("rabbitmqctl"); err != nil {
			Unavailable(t, "rabbitmqctl (needed to restart the broker)", err.Error())
		}
		return
	}
	t.Skipf("restarts the shared RabbitMQ: set %s=1 to run it (CI always does)", EnvBrokerRestart)
}

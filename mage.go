//go:build ignore

// Zero-install mage: `go run mage.go <target>` builds and runs the targets of
// magefile.go without a mage binary on the machine.
//
// Mage targets take no flags, so the few knobs a newcomer types as flags
// (`go run mage.go demo --scale 10`) are turned into the environment variables
// the targets read before mage sees the arguments.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/magefile/mage/mage"
)

// flagVars maps the flags accepted after a target to the variables they set.
var flagVars = map[string]string{
	"--scale": "MESH_DEMO_SCALE",
}

func main() {
	args, err := liftFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Args = append(os.Args[:1], args...)
	os.Exit(mage.Main())
}

// liftFlags removes the known flags (as `--flag N` or `--flag=N`) from args and
// exports their values.
func liftFlags(args []string) ([]string, error) {
	var rest []string
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(args[i], "=")
		envVar, known := flagVars[name]
		if !known {
			rest = append(rest, args[i])
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("%s needs a value, e.g. %s 10", name, name)
			}
			i++
			value = args[i]
		}
		if err := os.Setenv(envVar, value); err != nil {
			return nil, err
		}
	}
	return rest, nil
}

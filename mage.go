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
	"slices"
	"strings"

	"github.com/magefile/mage/mage"
)

// flagVar is a flag accepted after a target: the variable it sets and the
// targets that read it.
type flagVar struct {
	env     string
	targets []string
}

// flagVars are the flags accepted after a target.
var flagVars = map[string]flagVar{
	"--scale": {env: "MESH_DEMO_SCALE", targets: []string{"demo"}},
	"--time":  {env: "MESH_FUZZ_TIME", targets: []string{"fuzz"}},
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
// exports their values; a flag given without a target that reads it is refused.
func liftFlags(args []string) ([]string, error) {
	var rest, given []string
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(args[i], "=")
		flag, known := flagVars[name]
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
		if err := os.Setenv(flag.env, value); err != nil {
			return nil, err
		}
		given = append(given, name)
	}
	for _, name := range given {
		if !slices.ContainsFunc(rest, func(target string) bool { return slices.Contains(flagVars[name].targets, strings.ToLower(target)) }) {
			return nil, fmt.Errorf("%s applies to %s only, e.g. go run mage.go %s %s 10",
				name, strings.Join(flagVars[name].targets, ", "), flagVars[name].targets[0], name)
		}
	}
	return rest, nil
}

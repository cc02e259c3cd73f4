package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// subcommand is one verb of a command that has several (meshctl catalog list).
type subcommand struct {
	name string
	run  func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// dispatch runs the subcommand that args[0] names with the rest of args.
// Without arguments, with -h or --help, or with an unknown name it prints
// usage to stderr and returns flag.ErrHelp for help, else an error naming
// the subcommands there are.
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer, usage string, subs ...subcommand) error {
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.name
	}
	choices := strings.Join(names, ", ")
	if n := len(names); n > 1 {
		choices = strings.Join(names[:n-1], ", ") + " or " + names[n-1]
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return errors.New("missing subcommand: " + choices)
		}
		return flag.ErrHelp
	}
	for _, s := range subs {
		if s.name == args[0] {
			return s.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown subcommand %q: %s", args[0], choices)
}

// Command interop is the Go side of rollcall's interoperability tests: real Go code, built from
// the sources Debian installs (etcd 3.4 clientv3 and grpc-go), talking to what rollcall writes.
//
// Usage: interop <mode> [flags]. Each mode is one file; add a mode by adding it to `modes`.
// Every mode prints JSON lines on stdout ({"event": ...}) so the tests can follow it, and
// stops cleanly (exit 0) on SIGTERM or SIGINT.
package main

import (
	"fmt"
	"os"
	"sort"
)

type mode struct {
	summary string
	run     func(args []string) error
}

var modes = map[string]mode{
	"server": {"a gRPC health server on --addr; prints the address it listens on", runServer},
	"client": {"dials etcd:///<target> with etcd's resolver and round_robin; prints the peer of every call", runClient},
	"list":   {"endpoints.Manager.List of --target; prints every endpoint", runList},
	"watch":  {"endpoints.Manager.NewWatchChannel of --target; prints every update", runWatch},
	"add":    {"endpoints.Manager.AddEndpoint --key --addr --metadata <JSON>", runAdd},
}

func main() {
	if len(os.Args) < 2 || modes[os.Args[1]].run == nil {
		usage()
		os.Exit(1)
	}
	if err := modes[os.Args[1]].run(os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "interop %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	names := make([]string, 0, len(modes))
	for name := range modes {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprintln(os.Stderr, "usage: interop <mode> [flags]")
	for _, name := range names {
		fmt.Fprintf(os.Stderr, "  %-7s %s\n", name, modes[name].summary)
	}
}

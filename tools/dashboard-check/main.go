// dashboard-check decodes Grafana dashboards with the types Grafana's own schema generates (the
// grafana-foundation-sdk, version pinned in go.mod) in strict mode: an unknown field, a field of the
// wrong type or a missing required field anywhere (dashboard, panels, panel options and field config
// per panel type, Prometheus targets, variables) is an error, and then each dashboard is validated.
// Grafana itself accepts almost any JSON and drops what it does not know, so a typo in a generated
// dashboard would otherwise show up only as a panel that silently lost a setting.
//
// Usage: dashboard-check FILE... — prints one line per problem, "FILE: problem", and exits 1 if any.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: dashboard-check FILE...")
		os.Exit(2)
	}
	// Panel options, field config and queries are decoded by the type registered for each panel
	// type and datasource; without the registry they would be kept as raw, unchecked JSON.
	plugins.RegisterDefaultPlugins()
	failed := false
	for _, file := range os.Args[1:] {
		for _, problem := range check(file) {
			fmt.Printf("%s: %s\n", file, problem)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

func check(file string) []string {
	raw, err := os.ReadFile(file)
	if err != nil {
		return []string{err.Error()}
	}
	var d dashboard.Dashboard
	if err := d.UnmarshalJSONStrict(raw); err != nil {
		return lines(err)
	}
	if err := d.Validate(); err != nil {
		return lines(err)
	}
	return nil
}

// lines gives one problem per field path. The SDK returns its error list as an error even when the
// list is empty (a nil cog.BuildErrors in a non-nil interface), so emptiness is checked on the list.
func lines(err error) []string {
	var list cog.BuildErrors
	if errors.As(err, &list) {
		out := make([]string, 0, len(list))
		for _, e := range list {
			out = append(out, e.Error())
		}
		return out
	}
	return []string{err.Error()}
}

// gopath-check asks Go's own module rules (golang.org/x/mod/module, the code cmd/go runs) about
// paths, so the scaffolder's TypeScript port of them (src/rules.ts) can be tested against the real
// thing.
//
// Usage:
//
//	gopath-check < paths.json
//
// stdin is a JSON array of strings; stdout a JSON array with, for each, the error of
// module.CheckPath and of module.CheckImportPath ("" when valid). Exit status 0, or 2 on bad input.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"golang.org/x/mod/module"
)

type result struct {
	Path       string `json:"path"`
	Module     string `json:"module"`
	ImportPath string `json:"importPath"`
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func main() {
	var paths []string
	if err := json.NewDecoder(os.Stdin).Decode(&paths); err != nil {
		fmt.Fprintln(os.Stderr, "gopath-check: stdin must be a JSON array of strings:", err)
		os.Exit(2)
	}
	out := make([]result, 0, len(paths))
	for _, p := range paths {
		out = append(out, result{Path: p, Module: errText(module.CheckPath(p)), ImportPath: errText(module.CheckImportPath(p))})
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "gopath-check:", err)
		os.Exit(2)
	}
}

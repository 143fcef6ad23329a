// promql-check parses PromQL expressions with Prometheus's own parser (the one the server runs), so
// the queries in the generated Argo Rollouts AnalysisTemplate are known to be valid PromQL.
//
// Usage:
//
//	promql-check [-arg name=value]... < queries.json
//
// stdin is a JSON array of {"name": "...", "query": "..."}. Argo Rollouts placeholders
// {{args.NAME}} (spaces allowed inside the braces) are replaced by the value given with
// -arg NAME=value first; a placeholder without a value is an error. stdout is a JSON array with, for
// each query, the substituted text, the error (if any), the result type, the metric names and
// label names its selectors use, and each selector with its matchers (so a test can ask a real
// Prometheus whether every selector selects something: a query ending in `or vector(0)` answers even
// when its selectors select nothing). Exit status: 0 all parse, 1 some do not, 2 bad usage or input.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

type query struct {
	Name  string `json:"name"`
	Query string `json:"query"`
}

type result struct {
	Name    string   `json:"name"`
	Query   string   `json:"query"`
	Error   string   `json:"error,omitempty"`
	Type    string   `json:"type,omitempty"`
	Metrics []string `json:"metrics"`
	Labels  []string `json:"labels"`
	// Selectors holds each vector selector once, as Prometheus prints it (offset and @ included).
	Selectors []selector `json:"selectors"`
}

type selector struct {
	Text     string    `json:"text"`
	Matchers []matcher `json:"matchers"`
}

type matcher struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Value string `json:"value"`
}

type argValues map[string]string

func (a argValues) String() string { return fmt.Sprint(map[string]string(a)) }

func (a argValues) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return fmt.Errorf("want NAME=value, got %q", s)
	}
	a[name] = value
	return nil
}

var placeholder = regexp.MustCompile(`\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}`)

func substitute(q string, args argValues) (string, error) {
	var missing []string
	out := placeholder.ReplaceAllStringFunc(q, func(m string) string {
		name := placeholder.FindStringSubmatch(m)[1]
		v, ok := args[name]
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("no value for placeholder args.%s (pass -arg %s=...)", missing[0], missing[0])
	}
	return out, nil
}

func check(q query, args argValues, p parser.Parser) result {
	r := result{Name: q.Name, Metrics: []string{}, Labels: []string{}, Selectors: []selector{}}
	text, err := substitute(q.Query, args)
	if err != nil {
		r.Query, r.Error = q.Query, err.Error()
		return r
	}
	r.Query = text
	expr, err := p.ParseExpr(text)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.Type = string(expr.Type())
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		vs, ok := node.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		if vs.Name != "" {
			r.Metrics = append(r.Metrics, vs.Name)
		}
		sel := selector{Text: vs.String(), Matchers: []matcher{}}
		for _, m := range vs.LabelMatchers {
			if m.Name != labels.MetricName {
				r.Labels = append(r.Labels, m.Name)
			}
			sel.Matchers = append(sel.Matchers, matcher{Name: m.Name, Type: m.Type.String(), Value: m.Value})
		}
		if !slices.ContainsFunc(r.Selectors, func(s selector) bool { return s.Text == sel.Text }) {
			r.Selectors = append(r.Selectors, sel)
		}
		return nil
	})
	slices.Sort(r.Metrics)
	r.Metrics = slices.Compact(r.Metrics)
	slices.Sort(r.Labels)
	r.Labels = slices.Compact(r.Labels)
	return r
}

func main() {
	args := argValues{}
	flag.Var(args, "arg", "value for an Argo Rollouts placeholder {{args.NAME}}, as NAME=value (repeatable)")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "promql-check: queries are read from stdin as JSON, not from arguments")
		os.Exit(2)
	}
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "promql-check:", err)
		os.Exit(2)
	}
	var queries []query
	if err := json.Unmarshal(input, &queries); err != nil || len(queries) == 0 {
		fmt.Fprintln(os.Stderr, "promql-check: stdin must be a non-empty JSON array of {\"name\", \"query\"}")
		os.Exit(2)
	}
	p := parser.NewParser(parser.Options{})
	results := make([]result, 0, len(queries))
	failed := false
	for _, q := range queries {
		r := check(q, args, p)
		if r.Error != "" {
			failed = true
			fmt.Fprintf(os.Stderr, "promql-check: %s: %s\n", r.Name, r.Error)
		}
		results = append(results, r)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "promql-check:", err)
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}

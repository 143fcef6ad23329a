// Go's own reading of URLs (issue #29): the generated service's start-up check (checkURL, copied out of
// the config template as generated, so it is the service's own) and url.Parse, compiled once per run.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { GO_ENV } from "./go-service.js";
import { tempDir } from "./temp.js";

export interface GoVerdict {
  url: string;
  /** The generated service's checkURL: "" when it accepts. */
  check: string;
  /** url.Parse's error, or "". */
  parse: string;
  scheme: string;
  host: string;
}

const TEMPLATE = path.resolve(import.meta.dirname, "../../templates/internal/config/config.go.hbs");

/**
 * A program around the service's own checkURL, copied out of the template as it is generated, that
 * also reports url.Parse's reading; returns a function asking it about many URLs in one run.
 */
export async function buildUrlCheck(): Promise<(urls: string[]) => Promise<Map<string, GoVerdict>>> {
  const template = await readFile(TEMPLATE, "utf8");
  const checkURL = /^func \(p \*parser\) checkURL\(name, s string\) \{\n[\s\S]*?^\}\n/m.exec(template)?.[0];
  if (!checkURL || checkURL.includes("{{")) throw new Error("checkURL not found as plain Go in the config template");
  const dir = await tempDir("cggs-urlcheck-");
  await writeFile(path.join(dir, "go.mod"), "module urlcheck\n\ngo 1.24\n");
  await writeFile(
    path.join(dir, "main.go"),
    `package main

import (
	"encoding/json"
	"net/url"
	"os"
)

type parser struct{ problems []string }

func (p *parser) fail(name, problem string) { p.problems = append(p.problems, name+" "+problem) }

${checkURL}
type verdict struct {
	URL    string \`json:"url"\`
	Check  string \`json:"check"\`
	Parse  string \`json:"parse"\`
	Scheme string \`json:"scheme"\`
	Host   string \`json:"host"\`
}

func main() {
	var in []string
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		os.Exit(2)
	}
	out := make([]verdict, 0, len(in))
	for _, s := range in {
		v := verdict{URL: s}
		p := &parser{}
		p.checkURL("X_URL", s)
		if len(p.problems) > 0 {
			v.Check = p.problems[0]
		}
		if u, err := url.Parse(s); err != nil {
			v.Parse = err.Error()
		} else {
			v.Scheme, v.Host = u.Scheme, u.Host
		}
		out = append(out, v)
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}
`,
  );
  const out = path.join(dir, "urlcheck");
  const build = await execa("go", ["build", "-o", out, "."], { cwd: dir, env: GO_ENV, reject: false, all: true });
  if (build.exitCode !== 0) throw new Error(`building the checkURL program failed:\n${build.all}`);
  return async (urls) => {
    const run = await execa(out, [], { input: JSON.stringify(urls) });
    return new Map((JSON.parse(run.stdout) as GoVerdict[]).map((v) => [v.url, v]));
  };
}


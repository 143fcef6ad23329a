import Runtime from "handlebars/runtime";
import type { TemplateFile } from "./templates.js";
import { yamlScalar } from "../shared/yaml-scalar.js";

type Instance = typeof Runtime;
type Delegate = (context: object) => string;

// Helpers live on isolated instances: nothing registered here can leak into (or from) another
// Handlebars user in the same process, which matters when Backstage embeds us.
function registerHelpers(hbs: Instance): void {
  // Every answer written into YAML goes through this one rule (yaml-scalar.ts): plain where every
  // YAML 1.1 and 1.2 reader sees a string, else double-quoted. Several arguments are joined first, so
  // `{{yaml name "-" environment.name}}` is one scalar (test/yaml-scalar.test.ts scans the templates).
  hbs.registerHelper("yaml", (...args: unknown[]) => yamlScalar(args.slice(0, -1).map(String).join("")));
  hbs.registerHelper("json", (value: unknown) => JSON.stringify(value));
  // Go interpreted string literal. JSON escapes are a subset of Go's, except that Go has no `\/`
  // (JSON.stringify never emits it) and U+2028/2029 are legal raw in Go: JSON output is valid Go,
  // but for a raw BOM, which Go refuses anywhere but at the start of a file ("invalid BOM in the
  // middle of the file"; found by test/accepted-space.test.ts).
  hbs.registerHelper("goString", (value: unknown) => JSON.stringify(String(value)).replaceAll("\ufeff", "\\ufeff"));
  // Inline code in a Markdown table cell: a fence longer than any backtick run inside, and `|` escaped
  // (GitHub ends a table cell at `|` even inside a code span).
  hbs.registerHelper("mdCode", (value: unknown) => {
    const text = String(value).replaceAll("|", "\\|");
    const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
    const fence = "`".repeat(longest + 1);
    const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
    return `${fence}${pad}${text}${pad}${fence}`;
  });
  // A PromQL selector for the service's series in one namespace, `{job="…",namespace="…"}` plus any
  // extra matchers given verbatim: the values as PromQL strings (Go escapes, as JSON writes them), and
  // the braces from the helper, because `…"}}}` would close a Handlebars triple-stash.
  hbs.registerHelper("promSelector", (...args: unknown[]) => {
    const [job, namespace, ...extra] = args.slice(0, -1).map(String);
    return `{${[`job=${JSON.stringify(job)}`, `namespace=${JSON.stringify(namespace)}`, ...extra].join(",")}}`;
  });
}

/** Compile options, shared by the build's precompiler and the runtime compiler: strict, no HTML escaping. */
export const COMPILE_OPTIONS = { strict: true, noEscape: true } as const;

// The published CLI renders templates precompiled at build time, so only the small runtime loads.
const runtime = Runtime.create();
registerHelpers(runtime);
// The full compiler is loaded only for templates that arrive as source (development, --templates).
let compiler: (Instance & { compile(source: string, options: object): Delegate }) | undefined;

export async function loadCompiler(): Promise<void> {
  if (compiler) return;
  const { default: Handlebars } = await import("handlebars");
  compiler = Handlebars.create() as unknown as typeof compiler;
  registerHelpers(compiler!);
}

const cache = new Map<string, Delegate>();

/**
 * Render one template strictly: an unknown variable is an error, nothing is HTML-escaped.
 * @example renderTemplate({ id: "go.mod.hbs", content: Buffer.from("module {{module}}\n"), sha256 }, context)
 */
export function renderTemplate(template: TemplateFile, data: object): string {
  const key = `${template.id}\0${template.sha256}`;
  let render = cache.get(key);
  if (!render) {
    if (template.spec) render = runtime.template(template.spec as never) as Delegate;
    else if (compiler) render = compiler.compile(template.content!.toString("utf8"), COMPILE_OPTIONS);
    else throw new Error(`template ${template.id}: the Handlebars compiler is not loaded (call loadCompiler first)`);
    cache.set(key, render);
  }
  try {
    return render(data);
  } catch (error) {
    // Name the template: a strict-mode miss otherwise reads only "x not defined in [object Object]".
    throw new Error(`template ${template.id}: ${(error as Error).message}`, { cause: error });
  }
}

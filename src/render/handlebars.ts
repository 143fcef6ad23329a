import Runtime from "handlebars/runtime";
import type { TemplateFile } from "./templates.js";
import { yamlScalar } from "../shared/yaml-scalar.js";
import { ExitCode, UserError } from "../shared/errors.js";
import { shown, shownPath } from "../shared/show.js";

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
    if (template.origin) throw overrideProblem(template, error as HandlebarsError, data);
    // Name the template: a strict-mode miss otherwise reads only "x not defined in [object Object]".
    throw new Error(`template ${template.id}: ${(error as Error).message}`, { cause: error });
  }
}

type HandlebarsError = Error & { lineNumber?: number; column?: number };

/**
 * A mistake in a template given with --templates is the user's (issue #30: it was an "internal
 * error ... please report it", exit 1): exit 2, naming the file, the line and what is wrong, with
 * the variables a template may use. Handlebars' own words are kept after ours.
 */
function overrideProblem(template: TemplateFile, error: HandlebarsError, data: object): UserError {
  const source = template.content?.toString("utf8") ?? "";
  const file = shownPath(template.origin!);
  const variables = `a template may use: ${Object.keys(data).sort().join(", ")}`;
  const missing = /^"([^"]+)" not defined in .* - (\d+):(\d+)$/s.exec(error.message);
  if (missing) return new UserError(`--templates: ${file}:${missing[2]}:${Number(missing[3]) + 1}: ${shown(missing[1])} is not defined`, ExitCode.usage, variables);
  const parse = /^Parse error on line (\d+):\n[\s\S]*?\n(Expecting .*)$/.exec(error.message);
  if (parse) {
    const open = /got 'EOF'$/.test(parse[2]) ? unclosedBlock(source) : undefined;
    if (open) return new UserError(`--templates: ${file}:${open.line}: {{#${open.name}}} is never closed: the file ends before its {{/${open.name}}}`, ExitCode.usage);
    return new UserError(`--templates: ${file}:${parse[1]}: not a valid Handlebars template: ${parse[2]}`, ExitCode.usage);
  }
  const at = error.lineNumber !== undefined ? `:${error.lineNumber}` : "";
  return new UserError(`--templates: ${file}${at}: ${error.message.replace(/ - \d+:\d+$/, "")}`, ExitCode.usage, variables);
}

/** The innermost block opened (`{{#if}}`, `{{#each}}`) and never closed, and its line. */
function unclosedBlock(source: string): { name: string; line: number } | undefined {
  const open: { name: string; line: number }[] = [];
  for (const match of source.matchAll(/\{\{~?\s*([#/])\s*([\w.-]+)/g)) {
    const line = source.slice(0, match.index).split("\n").length;
    if (match[1] === "#") open.push({ name: match[2], line });
    else if (open.at(-1)?.name === match[2]) open.pop();
  }
  return open.at(-1);
}

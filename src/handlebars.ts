import Handlebars from "handlebars";

// One isolated instance: helpers registered here cannot leak into (or from) another Handlebars user
// in the same process, which matters when Backstage embeds us.
const hbs = Handlebars.create();

// A JSON string is a valid YAML double-quoted scalar, so this quotes any text (newlines, `#`, `: `,
// `{{`, anchors, non-ASCII) so that YAML reads back exactly what the user typed.
hbs.registerHelper("yaml", (value: unknown) => JSON.stringify(String(value)));
hbs.registerHelper("json", (value: unknown) => JSON.stringify(value));
// Go interpreted string literal. JSON escapes are a subset of Go's, except that Go has no `\/`
// (JSON.stringify never emits it) and U+2028/2029 are legal raw in Go: JSON output is valid Go.
hbs.registerHelper("goString", (value: unknown) => JSON.stringify(String(value)));

// Inline code in a Markdown table cell: a fence longer than any backtick run inside, and `|` escaped
// (GitHub ends a table cell at `|` even inside a code span).
hbs.registerHelper("mdCode", (value: unknown) => {
  const text = String(value).replaceAll("|", "\\|");
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
});

const compiled = new Map<string, Handlebars.TemplateDelegate>();

/**
 * Render one template strictly: an unknown variable is an error, nothing is HTML-escaped.
 * @example renderTemplate("go.mod.hbs", "module {{module}}\n", context)
 */
export function renderTemplate(id: string, source: string, data: object): string {
  let template = compiled.get(id);
  if (!template) {
    template = hbs.compile(source, { strict: true, noEscape: true });
    compiled.set(id, template);
  }
  try {
    return template(data);
  } catch (error) {
    // Name the template: a strict-mode miss otherwise reads only "x not defined in [object Object]".
    throw new Error(`template ${id}: ${(error as Error).message}`, { cause: error });
  }
}

import { MODE_FLAGS } from "./args.js";
import { questionList, type AnyQuestion } from "../answers/questions.js";
import { TOOL } from "../shared/tool.js";
import { indented, optionEntry as entry, wrapWords } from "../shared/wrap.js";

/**
 * The default a question has whatever the other answers are, as --help shows it; undefined when it
 * is derived from them (the module from the owner) or there is none. Its help then says so itself.
 */
export function staticDefault(q: AnyQuestion): string | undefined {
  const shown = (v: unknown) => (typeof v === "boolean" ? (v ? "on" : "off") : Array.isArray(v) ? v.join(",") : v === undefined ? undefined : String(v));
  const a = shown(q.default?.({}));
  const b = shown(q.default?.({ name: "x", owner: "y", directory: "x", ci: "gitlab", gitops: "flux", environments: ["x"] }));
  return a !== undefined && a !== "" && a === b ? a : undefined;
}

/** --help, generated from the question table so it can never miss a question; wrapped to `width`. */
export function helpText(width = 80): string {
  const questionLines = questionList.map((q) => {
    const flag = q.kind === "boolean" ? `--[no-]${q.flag}` : `--${q.flag} ${q.choices ? q.choices.join("|") : "<value>"}`;
    const def = staticDefault(q);
    const example = q.choices || q.kind === "boolean" || q.example === def ? "" : ` (e.g. ${q.example})`;
    const shownDefault = def !== undefined && !q.help.includes("(default:") ? ` (default: ${def})` : "";
    const placeholder = q.placeholder !== undefined ? ` (--yes: ${String(q.placeholder)})` : "";
    return entry(flag, `${q.help}${example}${shownDefault}${placeholder}`, width);
  });
  const modeLines = MODE_FLAGS.map((m) => entry(`${"short" in m ? `-${m.short}, ` : ""}--${m.flag}${"value" in m ? ` ${m.value}` : ""}`, m.help, width));
  const paragraph = (text: string) => wrapWords(text, width).join("\n");
  const usageNote = (text: string) => indented(text, width, 11);
  const exitCodes: [string, string][] = [
    ["0", "success"],
    ["1", "internal error (a bug: rerun with --debug and report it)"],
    ["2", "usage error or invalid answer (the message names the flag, the value and the rule)"],
    ["3", "target not safe to write (not empty without --force, a file, a symlink), or the file system refused a write (no space, quota, permission, read-only): the path is named"],
    ["4", "a post-step failed (e.g. git): the files are written and kept"],
    ["130", "cancelled (Ctrl-C or SIGINT; 143 for SIGTERM): nothing half-written is left"],
  ];
  const code = (c: string, text: string) => [`  ${c.padEnd(5)}${wrapWords(text, width - 7).join(`\n${" ".repeat(7)}`)}`];
  return `${TOOL.name} ${TOOL.version}
${paragraph("Write a production-grade Go service repository ready for GitOps delivery, then make it a git repo with one commit. Asks for what is missing when run in a terminal; never asks in CI or without a TTY.")}

Usage: ${TOOL.name} [directory] [options]
       ${TOOL.name} update [directory] [options]
${usageNote("bring a generated repo to these templates (update --help)")}
       ${TOOL.name} update --check [directory...]
${usageNote("which repos are behind")}

${paragraph("Questions (flag > answers file > prompt > default):")}
${questionLines.join("\n")}

Modes:
${modeLines.join("\n")}

Examples:
  npx ${TOOL.name} orders-api --owner acme --yes
  npx ${TOOL.name} orders-api --owner acme \\
    --env UPSTREAM_URL --env LOG_FORMAT=json --secret DB_PASSWORD
  npx ${TOOL.name} orders-api --answers answers.yaml \\
    --gitops flux --ci gitlab --environments dev,prod
  npx ${TOOL.name} orders-api --owner acme --yes --dry-run --json

Exit codes:
${exitCodes.flatMap(([c, t]) => code(c, t)).join("\n")}
`;
}

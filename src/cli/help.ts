import { MODE_FLAGS } from "./args.js";
import { questionList } from "../answers/questions.js";
import { TOOL } from "../shared/tool.js";

const pad = (s: string, n: number) => (s.length >= n ? `${s}  ` : s.padEnd(n));

/** --help, generated from the question table so it can never miss a question. */
export function helpText(): string {
  const width = 34;
  const questionLines = questionList.map((q) => {
    const flag = q.kind === "boolean" ? `--[no-]${q.flag}` : `--${q.flag} ${q.choices ? q.choices.join("|") : "<value>"}`;
    const example = q.choices || q.kind === "boolean" ? "" : ` (e.g. ${q.example})`;
    return `  ${pad(flag, width)}${q.help}${example}`;
  });
  const modeLines = MODE_FLAGS.map((m) => {
    const flag = `${"short" in m ? `-${m.short}, ` : ""}--${m.flag}${"value" in m ? ` ${m.value}` : ""}`;
    return `  ${pad(flag, width)}${m.help}`;
  });
  return `${TOOL.name} ${TOOL.version}
Write a production-grade Go service repository ready for GitOps delivery, then make it a git repo
with one commit. Asks for what is missing when run in a terminal; never asks in CI or without a TTY.

Usage: ${TOOL.name} [directory] [options]
       ${TOOL.name} update [directory] [options]      bring a generated repo to these templates (update --help)
       ${TOOL.name} update --check [directory...]     which repos are behind

Questions (flag > answers file > prompt > default):
${questionLines.join("\n")}

Modes:
${modeLines.join("\n")}

Examples:
  npx ${TOOL.name} orders-api --owner acme --yes
  npx ${TOOL.name} orders-api --owner acme --env UPSTREAM_URL --env LOG_FORMAT=json --secret DB_PASSWORD
  npx ${TOOL.name} orders-api --answers answers.yaml --gitops flux --ci gitlab --environments dev,prod
  npx ${TOOL.name} orders-api --owner acme --yes --dry-run --json

Exit codes:
  0    success
  1    internal error (a bug: rerun with --debug and report it)
  2    usage error or invalid answer (the message names the flag, the value and the rule)
  3    target not safe to write (not empty without --force, a file, a symlink), or the file
       system refused a write (no space, quota, permission, read-only): the path is named
  4    a post-step failed (e.g. git): the files are written and kept
  130  cancelled (Ctrl-C or SIGINT; 143 for SIGTERM): nothing half-written is left
`;
}

import type { Answers } from "../answers/types.js";
import { parseFlags, questionFlags } from "../answers/flags.js";
import { ExitCode, UserError } from "../shared/errors.js";

export interface UpdateArgs {
  /** Repositories to update or check (default: the current directory). */
  directories: string[];
  /** Question flags: they win over the recorded answers (a way to change an answer on update). */
  flags: Partial<Answers>;
  answersFile?: string;
  presetFile?: string;
  templatesDir?: string;
  check: boolean;
  dryRun: boolean;
  json: boolean;
  yes: boolean;
  commit: boolean;
  /** Put each repository's update on this new branch, committed (implies commit). */
  branch?: string;
  allowDirty: boolean;
  overwritePlatform: boolean;
  /** Where a base is lost and cannot be regenerated: whole-file conflicts instead of refusing. */
  acceptLostBase: boolean;
  debug: boolean;
  help: boolean;
}

/** The flags that are not questions (question flags are those of the generator). */
export const UPDATE_FLAGS = [
  { flag: "check", help: "Only tell whether each repository is behind the current templates (exit 0 up to date, 1 behind, 2 error)" },
  { flag: "dry-run", help: "Write nothing; print the planned action per file (replace, merge, conflict, add, remove, keep)" },
  { flag: "json", help: "Print one JSON object on stdout" },
  { flag: "yes", short: "y", help: "Answer questions that are new since the repository was made with their defaults (or placeholders); never prompt" },
  { flag: "commit", help: "Commit the update (only when there are no conflicts)" },
  { flag: "branch", value: "NAME", help: "Commit each update on a new branch NAME (for a pull request); a repository with conflicts is left untouched" },
  { flag: "allow-dirty", help: "Run even if the work tree has uncommitted changes" },
  { flag: "overwrite-platform", help: "Replace platform-owned files even where they were edited locally (the edit is lost)" },
  { flag: "accept-lost-base", help: "Where a file's generated base is lost from history and cannot be regenerated (older templates), make it a whole-file conflict instead of refusing" },
  { flag: "answers", value: "FILE", help: "Answers for new questions, or to change recorded ones (flags win over it)" },
  { flag: "preset", value: "FILE", help: "The preset the repository was made with (default: $CREATE_GITOPS_GO_SERVICE_PRESET)" },
  { flag: "templates", value: "DIR", help: "Template overrides and additions to update to (as at generation)" },
  { flag: "debug", help: "Show stack traces of internal errors" },
  { flag: "help", short: "h", help: "Show this help" },
] as const;


/** Parse `update` argv (after the word `update`). Unknown flags and bad values are usage errors. */
export function parseUpdateArgs(argv: string[]): UpdateArgs {
  const parsed = parseFlags(argv, UPDATE_FLAGS, "run `update --help` to see every option");
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const args: UpdateArgs = {
    directories: parsed.positionals,
    flags: questionFlags(values),
    answersFile: values.answers as string | undefined,
    presetFile: values.preset as string | undefined,
    templatesDir: values.templates as string | undefined,
    check: Boolean(values.check),
    dryRun: Boolean(values["dry-run"]),
    json: Boolean(values.json),
    yes: Boolean(values.yes),
    commit: Boolean(values.commit) || values.branch !== undefined,
    branch: values.branch as string | undefined,
    allowDirty: Boolean(values["allow-dirty"]),
    overwritePlatform: Boolean(values["overwrite-platform"]),
    acceptLostBase: Boolean(values["accept-lost-base"]),
    debug: Boolean(values.debug),
    help: Boolean(values.help),
  };
  if (args.check && (args.commit || args.dryRun || args.overwritePlatform || Object.keys(args.flags).length > 0 || args.answersFile))
    throw new UserError("--check only reads: it cannot be combined with --commit, --dry-run, --overwrite-platform or answers", ExitCode.usage);
  if (args.branch !== undefined && args.branch.trim() === "") throw new UserError("--branch needs a name", ExitCode.usage);
  if (args.commit && args.dryRun) throw new UserError("--commit and --dry-run contradict each other", ExitCode.usage);
  return args;
}

import type { Answers } from "../answers/types.js";
import { parseFlags, typedFlags } from "../answers/flags.js";
import { ExitCode, UserError } from "../shared/errors.js";
import { shown } from "../shared/show.js";

export interface CliArgs {
  directory?: string;
  flags: Partial<Answers>;
  /** Flag values that could not be typed (`--port abc`): reported with the answers' own problems. */
  flagProblems: string[];
  answersFile?: string;
  presetFile?: string;
  templatesDir?: string;
  printSchema: boolean;
  verify: boolean;
  yes: boolean;
  force: boolean;
  dryRun: boolean;
  git: boolean;
  json: boolean;
  debug: boolean;
  verbose: boolean;
  help: boolean;
  version: boolean;
}

/** Flags that are not questions: how to run, not what to write. */
export const MODE_FLAGS = [
  { flag: "yes", short: "y", help: "Use defaults (and visible placeholders) for everything not given; never prompt" },
  { flag: "answers", value: "FILE", help: "Read answers from a JSON or YAML file (keys: the camelCase question names)" },
  { flag: "preset", value: "FILE", help: "Your platform team's preset: defaults, locked answers, policy (default: $CREATE_GITOPS_GO_SERVICE_PRESET)" },
  { flag: "templates", value: "DIR", help: "Template overrides and additions, laid out like the package's templates/" },
  { flag: "print-schema", help: "Print the JSON Schema of the answers (narrowed by --preset) and exit" },
  { flag: "verify", help: "After writing, run the generated repo's own checks (go build/vet/test, kustomize, linters found on PATH)" },
  { flag: "force", help: "Write into a non-empty directory: only the planned files are written, nothing is deleted" },
  { flag: "dry-run", help: "Write nothing; print the files that would be written" },
  { flag: "no-git", help: "Do not make a git repository and first commit" },
  { flag: "verbose", help: "List every written file (the summary shows each top folder with its file count)" },
  { flag: "json", help: "Print one JSON result object on stdout (files, answers, commit)" },
  { flag: "debug", help: "Show stack traces of internal errors" },
  { flag: "help", short: "h", help: "Show this help" },
  { flag: "version", short: "v", help: "Show the version" },
] as const;

/** Parse argv (without node and script). Unknown flags and bad values exit 2 naming the flag. */
export function parseCliArgs(argv: string[]): CliArgs {
  const parsed = parseFlags(argv, MODE_FLAGS, "run with --help to see every option");
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (parsed.positionals.length > 1)
    throw new UserError(`expected at most one directory, got ${parsed.positionals.length}: ${parsed.positionals.slice(0, 5).map((p) => shown(p)).join(" ")}`, ExitCode.usage);
  const { flags, problems } = typedFlags(values);
  return {
    directory: parsed.positionals[0],
    flags,
    flagProblems: problems,
    answersFile: values.answers as string | undefined,
    presetFile: values.preset as string | undefined,
    templatesDir: values.templates as string | undefined,
    printSchema: Boolean(values["print-schema"]),
    verify: Boolean(values.verify),
    yes: Boolean(values.yes),
    force: Boolean(values.force),
    dryRun: Boolean(values["dry-run"]),
    git: !values["no-git"],
    json: Boolean(values.json),
    debug: Boolean(values.debug),
    verbose: Boolean(values.verbose),
    help: Boolean(values.help),
    version: Boolean(values.version),
  };
}

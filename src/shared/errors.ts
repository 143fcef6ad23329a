/** Documented exit codes (README and --help list the same table). */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  unsafeTarget: 3,
  postStep: 4,
  /** `update` left conflicts (markers in the files) for the user to resolve. */
  conflicts: 5,
  cancelled: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An expected problem the user can fix: printed as `error: message` plus an optional hint, never
 * with a stack. Anything that is not a UserError is a bug (`--debug` shows its stack).
 * @example throw new UserError("--port: '80' is below 1024", ExitCode.usage, "non-root containers cannot bind it")
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.usage,
    readonly hint?: string,
    /** The questions (answer names) the problem is about, so a host can point at its own fields. */
    readonly fields: readonly string[] = [],
  ) {
    super(message);
    this.name = "UserError";
  }
}

/** The run was interrupted (Ctrl-C at a prompt, SIGINT/SIGTERM): nothing half-written remains. */
export class CancelledError extends UserError {
  constructor(message = "cancelled") {
    super(message, ExitCode.cancelled);
    this.name = "CancelledError";
  }
}

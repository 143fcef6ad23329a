import type { Writable } from "node:stream";
import type { Prompter } from "./answers/prompts.js";

/** Everything the pipeline needs from the outside world, passed in so Backstage and tests can embed it. */
export interface Io {
  cwd: string;
  stdout: Writable;
  stderr: Writable;
  /** Shown when prompts are allowed (a TTY on both ends and CI unset); undefined means never ask. */
  prompter?: Prompter;
  /** Aborted on SIGINT/SIGTERM: writing stops and cleans up. */
  signal?: AbortSignal;
}

/** CI is set to anything but empty, 0 or false: never prompt there. */
export function isCI(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false";
}

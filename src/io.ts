import type { Writable } from "node:stream";
import type { Prompter } from "./prompts.js";

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

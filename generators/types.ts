import type { Context } from "../src/context.js";

/** A template path (relative to templates/, as stored; a trailing `/` owns a whole folder), or one with its own condition. */
export type Owned = string | { path: string; when: (context: Context) => boolean };

/**
 * One concern of the generated repository: what it writes and when. Shaped like a plop generator
 * (`description`, `prompts`, `actions`) so it can be registered with node-plop as is; the prompts
 * all live in the shared question table, so `prompts` stays empty here.
 */
export interface Generator {
  name: string;
  description: string;
  templates: Owned[];
  when: (context: Context) => boolean;
}

import type { Context } from "../src/render/context.js";

/**
 * Who owns a generated file after day one (recorded in the provenance file; `update` acts on it):
 * - platform: the platform team's; a future update replaces it (CI, Dockerfile, base manifests);
 * - shared: both edit it; a future update merges (go.mod, README, overlays' kustomization);
 * - team: the service team's; never touched again (handlers, per-environment config values).
 */
export type Ownership = "platform" | "shared" | "team";

/**
 * A template path (relative to templates/, as stored; a trailing `/` owns a whole folder), or the
 * same with its own condition and/or ownership. The first entry that matches a template wins, so
 * specific entries go before the folder that contains them.
 */
export type Owned = string | { path: string; when?: (context: Context) => boolean; ownership?: Ownership };

/**
 * One concern of the generated repository: the templates it owns, when it writes them, and who owns
 * the files afterwards. `generators/index.ts` lists them all.
 */
export interface Generator {
  name: string;
  description: string;
  templates: Owned[];
  when: (context: Context) => boolean;
  /** Ownership of its files unless an entry says otherwise. */
  ownership: Ownership;
}

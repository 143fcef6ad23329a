// The generator itself: the CLI's own bundle (the root package's dist/index.js, built by
// `npm run build` at the repository root), so the action runs byte for byte the code the CLI runs.
// Its types are the source's. This package's build bundles it in, so the published package does not
// depend on the CLI package and the CLI package does not depend on Backstage.
import type * as Source from "../../../src/index.js";
// @ts-ignore -- the bundle ships no declarations; its types are the source's (below).
import * as bundle from "../../../dist/index.js";

export const engine = bundle as typeof Source;
export type { Answers, AnyQuestion, Preset, Plan, UserError } from "../../../src/index.js";

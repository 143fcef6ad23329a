import type { TemplateFile } from "./template-file.js";

/**
 * The templates inlined into the published bundle (precompiled `.hbs`, other files as bytes).
 * scripts/build.mjs replaces this module; in development it is undefined and templates/ is read.
 */
export const bundledTemplates: TemplateFile[] | undefined = undefined;

import pkg from "../../package.json" with { type: "json" };

/** This tool's identity, written into the first commit message (and later the provenance record). */
export const TOOL = { name: pkg.name, version: pkg.version } as const;

import { readFile } from "node:fs/promises";
import { defineConfig } from "vitest/config";

// @actions/workflow-parser (inlined below) ships source maps whose sources it does not ship: Vite said
// "Sourcemap for ... points to missing source files" 67 times a run (issue #30). Loading its files
// without the map comment silences that and loses nothing, the sources being absent anyway.
const withoutDanglingSourceMaps = {
  name: "without-dangling-source-maps",
  enforce: "pre" as const,
  async load(id: string) {
    if (!/[\\/]node_modules[\\/]@actions[\\/]workflow-parser[\\/].*\.js$/.test(id.split("?")[0])) return null;
    const code = await readFile(id.split("?")[0], "utf8");
    return { code: code.replace(/^\/\/# sourceMappingURL=.*$/gm, ""), map: null };
  },
};

export default defineConfig({
  plugins: [withoutDanglingSourceMaps],
  test: {
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Go builds and kustomize renders are CPU-bound; two cores run two files at once at most.
    maxWorkers: 2,
    server: { deps: { inline: ["@actions/workflow-parser"] } },
    projects: [
      { extends: true, test: { name: "cli", include: ["test/**/*.test.ts"] } },
      // The Backstage workspace package (packages/backstage): its own setup, run from the root too.
      { extends: true, test: { name: "backstage", include: ["packages/backstage/test/**/*.test.ts"], setupFiles: ["packages/backstage/test/setup.ts"] } },
    ],
  },
});

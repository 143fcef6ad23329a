import { defineConfig } from "vitest/config";

export default defineConfig({
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

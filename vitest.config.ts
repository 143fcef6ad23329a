import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Go builds and kustomize renders are CPU-bound; two cores run two files at once at most.
    maxWorkers: 2,
    server: { deps: { inline: ["@actions/workflow-parser"] } },
  },
});

import { readFile } from "node:fs/promises";
import { configDefaults, defineConfig } from "vitest/config";

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

// The slowest suites (fault injection, git states, random answer sets on disk): 7 files, about half of
// npm test's test time. `npm test` leaves them to `npm run test:robustness`, which .ci/run runs right after
// it, so that the README's test command stays under 5 minutes with warm Go caches (issue #30). Run by
// name (`npx vitest run test/reliability.test.ts`) they run as any other file.
const ROBUSTNESS = [
  "test/update-safety.test.ts",
  "test/reliability.test.ts",
  "test/update-git-states.test.ts",
  "test/accepted-space.test.ts",
  "test/update-agreement.test.ts",
  "test/update-branch-attack.test.ts",
  "test/update-monorepo.test.ts",
];
const script = process.env.npm_lifecycle_event;

export default defineConfig({
  plugins: [withoutDanglingSourceMaps],
  test: {
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Go builds and kustomize renders are CPU-bound; two cores run two files at once at most.
    maxWorkers: 2,
    server: { deps: { inline: ["@actions/workflow-parser"] } },
    projects: [
      {
        extends: true,
        test: {
          name: "cli",
          include: script === "test:robustness" ? ROBUSTNESS : ["test/**/*.test.ts"],
          exclude: script === "test" ? [...configDefaults.exclude, ...ROBUSTNESS] : configDefaults.exclude,
        },
      },
      // The Backstage workspace package (packages/backstage): its own setup, run from the root too.
      { extends: true, test: { name: "backstage", include: ["packages/backstage/test/**/*.test.ts"], setupFiles: ["packages/backstage/test/setup.ts"] } },
    ],
  },
});

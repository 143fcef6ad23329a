// Issue #16, property: for random committed user edits and random template changes (a --templates
// override inserting lines), `update` never loses a user's line (every line the user wrote is still
// in the work tree: merged, kept, or on the "ours" side of a reported conflict), and its printed undo
// (git merge --abort, or git reset --merge) restores the repository byte for byte.
// FC_SEED reproduces a run; FC_RUNS sets how many (each is a real CLI run on a real repository).
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { runCli, tempDir } from "./helpers/cli.js";
import { commitAll, generate, git, TEMPLATES, tree } from "./helpers/update-repo.js";

const RUNS = Number(process.env.FC_RUNS ?? 12);
const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : 1616;

/** Templates and the file each writes (for svc, environment dev), with the comment syntax of the file. */
const FILES = [
  { template: "README.md.hbs", file: "README.md", comment: "" },
  { template: "SECURITY.md.hbs", file: "SECURITY.md", comment: "" },
  { template: "Makefile.hbs", file: "Makefile", comment: "# " },
  { template: "Dockerfile.hbs", file: "Dockerfile", comment: "# " },
  { template: "deploy/overlays/[environment]/kustomization.yaml.hbs", file: "deploy/overlays/dev/kustomization.yaml", comment: "# " },
  { template: "internal/server/handlers.go.hbs", file: "internal/server/handlers.go", comment: "// " },
] as const;

const edit = fc.record({ file: fc.nat(FILES.length - 1), kind: fc.constantFrom("insert", "replace", "delete"), at: fc.double({ min: 0, max: 1, noNaN: true }) });
const templateEdit = fc.record({ file: fc.nat(FILES.length - 1), at: fc.double({ min: 0, max: 1, noNaN: true }) });

let base: string;
beforeAll(async () => {
  base = await generate();
}, 120_000);

const state = async (dir: string) =>
  JSON.stringify({ files: [...(await tree(dir))].map(([p, b]) => `${p} ${b.toString("base64")}`).sort(), index: await git(dir, "ls-files", "-s"), head: await git(dir, "rev-parse", "HEAD") });

describe("property: update never loses a user's line, and its undo restores byte for byte", () => {
  test("random user edits × random template changes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 6 }), fc.array(templateEdit, { minLength: 1, maxLength: 4 }), async (edits, templateEdits) => {
        const dir = path.join(await tempDir("cggs-prop-"), "svc");
        await cp(base, dir, { recursive: true });
        const userLines: { file: string; line: string }[] = [];
        for (const [i, e] of edits.entries()) {
          const f = FILES[e.file];
          const lines = (await readFile(path.join(dir, f.file), "utf8")).split("\n");
          const at = Math.min(lines.length - 1, Math.floor(e.at * lines.length));
          const line = `${f.comment}user line ${i}`;
          if (e.kind === "delete") lines.splice(at, 1);
          else lines.splice(at, e.kind === "replace" ? 1 : 0, line);
          if (e.kind !== "delete") userLines.push({ file: f.file, line });
          await writeFile(path.join(dir, f.file), lines.join("\n"));
        }
        await commitAll(dir, "user edits");
        const overrides = await tempDir("cggs-prop-tpl-");
        for (const [i, t] of templateEdits.entries()) {
          const f = FILES[t.file];
          const target = path.join(overrides, f.template);
          const source = existsSync(target) ? target : path.join(TEMPLATES, f.template);
          const lines = (await readFile(source, "utf8")).split("\n");
          lines.splice(Math.min(lines.length - 1, Math.floor(t.at * lines.length)), 0, `${f.comment}template line ${i}`);
          await mkdir(path.dirname(target), { recursive: true });
          await writeFile(target, lines.join("\n"));
        }
        // User lines that already vanished (a later edit replaced or deleted them) are not owed.
        const owed = [];
        for (const u of userLines) if ((await readFile(path.join(dir, u.file), "utf8")).split("\n").includes(u.line)) owed.push(u);
        const before = await state(dir);

        const run = await runCli(["update", "--templates", overrides, "--json"], { cwd: dir });
        expect([0, 5], run.stderr).toContain(run.exitCode);
        for (const u of owed) expect((await readFile(path.join(dir, u.file), "utf8")).split("\n"), `${u.file}: '${u.line}'`).toContain(u.line);

        const merging = existsSync(path.join(dir, ".git/MERGE_HEAD"));
        expect(run.exitCode !== 5 || merging, "conflicts always come with MERGE_HEAD").toBe(true);
        await git(dir, ...(merging ? ["merge", "--abort"] : ["reset", "--merge"]));
        expect(await state(dir)).toBe(before);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  }, 900_000);
});

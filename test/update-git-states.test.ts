// Issue #28: day 2 in the states real repositories live in. Each row makes one state with real git
// from the 0.1.0 fixture (behind, a team line in its README), copies it four times, and runs
// `update --check`, plain `update`, `update --commit` and `update --branch` on the copies. They must
// agree: the same verdict; where the work-tree commands run, the tree they stage and commit is the
// tree --branch commits; where they must refuse, they refuse with the same specific message and exit
// code and change nothing. No team line is lost (work tree, commit, branch), none is exposed (a
// hidden edit committed, a filtered file committed in its work-tree form), and --branch leaves HEAD,
// the index and the work tree byte-identical, with `git fsck --strict` clean.
import { execa } from "execa";
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { chmod, cp, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { gitEnv, runCli, tempDir, type CliRun } from "./helpers/cli.js";
import { commitAll, edit, fixtureRepo, git, tree } from "./helpers/update-repo.js";

const TEAM_NOTE = "Team note: owned by the orders squad.";
const HIDDEN = "# hidden team line: not committed";

interface State {
  name: string;
  make: (dir: string) => Promise<unknown>;
  /** What plain update and --commit do: update, or refuse (exit 3) with this text in the message. */
  refused?: string;
  /** --branch refuses too (what the merge cannot honour at HEAD either). */
  branchRefused?: boolean;
  /** --branch finds a conflict at HEAD (exit 5, no branch) where plain update refuses to write. */
  branchConflict?: string;
  /** Whether the committed tree is the default configuration's (the state changes no content). */
  sameContent: boolean;
  /** A line that must survive in the work tree (uncommitted), and never be committed. */
  hidden?: { file: string; line: string };
  /** A text that must never be in a committed blob of this file (its work-tree form). */
  exposed?: { file: string; text: string };
  /** The global git config the four commands run with (GIT_CONFIG_GLOBAL). */
  globalConfig?: string;
  /** More environment for the four commands. */
  env?: Record<string, string>;
  /** --check reports the repository unreadable (exit 2) with this text, as the others refuse it. */
  checkError?: string;
  /** Whether --branch's new branch has a reflog (default: yes, as git branch makes one). */
  reflog?: boolean;
  /** The file's mode in the committed tree (the team's chmod). */
  mode?: { file: string; mode: string };
  /**
   * The four commands run in a linked worktree (`git worktree add`) of each copy, on its own branch;
   * the main worktree's HEAD, index and files must stay as they were.
   */
  linked?: boolean;
}

const rot13 = "tr A-Za-z N-ZA-Mn-za-m";

const STATES: State[] = [
  { name: "git's default configuration", make: async () => undefined, sameContent: true },
  {
    name: "skip-worktree with a hidden edit (platform file)",
    make: async (d) => (await git(d, "update-index", "--skip-worktree", "Makefile"), edit(d, "Makefile", (t) => `${t}${HIDDEN}\n`)),
    refused: "skip-worktree",
    sameContent: true,
    hidden: { file: "Makefile", line: HIDDEN },
  },
  {
    name: "assume-unchanged with a hidden edit (shared file)",
    make: async (d) => (await git(d, "update-index", "--assume-unchanged", "README.md"), edit(d, "README.md", (t) => `${t}${HIDDEN}\n`)),
    refused: "assume-unchanged",
    sameContent: true,
    hidden: { file: "README.md", line: HIDDEN },
  },
  { name: "sparse checkout, cone mode (extensions.worktreeConfig)", make: (d) => git(d, "sparse-checkout", "set", "--cone", "cmd", "internal"), refused: "sparse checkout", sameContent: true },
  {
    name: "sparse checkout, the old core.sparseCheckout",
    make: async (d) => (await git(d, "config", "core.sparseCheckout", "true"), await writeFile(path.join(d, ".git/info/sparse-checkout"), "/*\n!/deploy/\n"), git(d, "read-tree", "-mu", "HEAD")),
    refused: "sparse checkout",
    sameContent: true,
  },
  {
    name: "core.autocrlf=true, a CRLF work tree",
    make: async (d) => (await git(d, "config", "core.autocrlf", "true"), await git(d, "rm", "-r", "-q", "--cached", "."), git(d, "reset", "-q", "--hard")),
    sameContent: true,
  },
  {
    // The file's CRLF bytes are its LF blob converted: nothing is hidden, so nothing is refused.
    name: "core.autocrlf=true, an unedited CRLF file marked skip-worktree",
    make: async (d) => {
      await git(d, "config", "core.autocrlf", "true");
      await git(d, "rm", "-r", "-q", "--cached", ".");
      await git(d, "reset", "-q", "--hard");
      await git(d, "update-index", "--skip-worktree", "Makefile");
    },
    sameContent: true,
  },
  {
    name: ".gitattributes text=auto eol=crlf",
    make: async (d) => {
      await writeFile(path.join(d, ".gitattributes"), "* text=auto eol=crlf\n");
      await commitAll(d, "crlf");
      await git(d, "rm", "-r", "-q", "--cached", ".");
      await git(d, "reset", "-q", "--hard");
    },
    sameContent: false,
  },
  {
    name: "a clean/smudge filter on a generated file (git-crypt-like)",
    make: async (d) => {
      await git(d, "config", "filter.crypt.clean", rot13);
      await git(d, "config", "filter.crypt.smudge", rot13);
      await writeFile(path.join(d, ".gitattributes"), "README.md filter=crypt\n");
      await git(d, "add", ".gitattributes");
      await git(d, "rm", "-q", "--cached", "README.md");
      await commitAll(d, "encrypt the README");
    },
    refused: "filter",
    branchRefused: true,
    sameContent: false,
    exposed: { file: "README.md", text: TEAM_NOTE },
  },
  {
    name: "a replace ref for HEAD's commit, objects packed",
    make: async (d) => {
      const replacement = await git(d, "commit-tree", "HEAD^{tree}", "-p", "HEAD~1", "-m", "replaced message");
      await git(d, "replace", await git(d, "rev-parse", "HEAD"), replacement);
      await git(d, "gc", "-q");
    },
    sameContent: true,
  },
  {
    name: "a committed chmod -x of a platform script",
    make: async (d) => (await chmod(path.join(d, "scripts/promote.sh"), 0o644), commitAll(d, "chmod -x")),
    sameContent: false,
    mode: { file: "scripts/promote.sh", mode: "100644" },
  },
  {
    name: "a committed chmod +x of a platform file the template changes",
    make: async (d) => (await chmod(path.join(d, ".kube-linter.yaml"), 0o755), commitAll(d, "chmod +x")),
    sameContent: false,
    mode: { file: ".kube-linter.yaml", mode: "100755" },
  },
  {
    name: "a tree entry with a zero-padded mode (040000), beside a file that sorts between",
    make: async (d) => {
      await writeFile(path.join(d, "deploy.md"), "# Deploy notes\n");
      await commitAll(d, "deploy notes");
      const root = Buffer.from((await execa("git", ["cat-file", "tree", "HEAD^{tree}"], { cwd: d, env: gitEnv, encoding: "buffer", stripFinalNewline: false })).stdout);
      const padded = Buffer.from(root.toString("latin1").replace("40000 deploy\0", "040000 deploy\0"), "latin1");
      const tree = (await execa("git", ["hash-object", "-t", "tree", "--literally", "-w", "--stdin"], { cwd: d, env: gitEnv, input: padded })).stdout;
      await git(d, "reset", "-q", "--hard", await git(d, "commit-tree", tree, "-p", "HEAD", "-m", "a tree written by another tool"));
    },
    sameContent: false,
  },
  {
    name: "a generated file the template changes, deleted from git by the team and ignored, still on disk",
    make: async (d) => {
      await git(d, "rm", "-q", "--cached", "SECURITY.md");
      await writeFile(path.join(d, ".gitignore"), `${await readFile(path.join(d, ".gitignore"), "utf8")}SECURITY.md\n`);
      await commitAll(d, "SECURITY.md is kept out of git");
    },
    refused: "ignored",
    branchConflict: "SECURITY.md",
    sameContent: false,
    hidden: { file: "SECURITY.md", line: "Security" },
  },
  {
    name: "an ignored local file where the template adds one",
    make: async (d) => {
      await writeFile(path.join(d, ".gitignore"), `${await readFile(path.join(d, ".gitignore"), "utf8")}catalog-info.yaml\n`);
      await commitAll(d, "ignore local catalog notes");
      await writeFile(path.join(d, "catalog-info.yaml"), `${HIDDEN}\n`);
    },
    refused: "ignored",
    sameContent: false,
    hidden: { file: "catalog-info.yaml", line: HIDDEN },
  },
  // git init writes logAllRefUpdates=true into a new repository's config only when no config sets it.
  { name: "core.logAllRefUpdates=false in the global config", make: (d) => git(d, "config", "--unset", "core.logAllRefUpdates"), globalConfig: "[core]\n\tlogAllRefUpdates = false\n", reflog: false, sameContent: true },
  {
    name: "a repository owned by another user (safe.directory)",
    make: async () => undefined,
    env: { GIT_TEST_ASSUME_DIFFERENT_OWNER: "1" },
    checkError: "safe.directory",
    refused: "safe.directory",
    branchRefused: true,
    sameContent: false,
  },
  {
    name: "core.sharedRepository=group set through [include]",
    make: async (d) => (await writeFile(path.join(d, ".git/shared.inc"), "[core]\n\tsharedRepository = group\n"), git(d, "config", "include.path", "shared.inc")),
    sameContent: true,
  },
  // States that passed the outside tester: rows so they keep passing.
  { name: "a split index (core.splitIndex)", make: (d) => git(d, "update-index", "--split-index"), sameContent: true },
  // git on Linux has no built-in fsmonitor daemon: set, it must change nothing.
  { name: "core.fsmonitor=true without a daemon", make: (d) => git(d, "config", "core.fsmonitor", "true"), sameContent: true },
  {
    name: "a submodule (a tool vendored as its own repository)",
    make: async (d) => {
      const lib = await fixtureRepo();
      await git(d, "-c", "protocol.file.allow=always", "submodule", "add", "-q", lib, "tools/lib");
      await commitAll(d, "vendor a tool");
    },
    sameContent: false,
  },
  // A linked worktree's git dir is .git/worktrees/<name> (its own HEAD, index, MERGE_HEAD) beside the
  // common dir's objects and refs: a command that took the common dir for its own would write the main
  // worktree's index or move its branch.
  { name: "a linked worktree (git worktree add), on its own branch", make: async () => undefined, linked: true, sameContent: true },
  {
    name: "alternates: every object borrowed from another repository",
    make: async (d) => {
      const shared = path.join(await tempDir("cggs-state-alternate-"), "shared.git");
      await git(d, "clone", "-q", "--bare", d, shared);
      await writeFile(path.join(d, ".git/objects/info/alternates"), `${path.join(shared, "objects")}\n`);
      await git(d, "repack", "-a", "-d", "-l", "-q");
      await git(d, "prune-packed");
    },
    sameContent: true,
  },
];

const copy = async (from: string, label: string): Promise<string> => {
  const to = path.join(await tempDir(`cggs-state-${label}-`), "my-svc");
  await cp(from, to, { recursive: true, verbatimSymlinks: true });
  return to;
};

/** A linked worktree of main on a new branch, in a folder of the same name (the record does not depend on it). */
const linkedWorktree = async (main: string): Promise<string> => {
  const linked = path.join(await tempDir("cggs-state-linked-"), "my-svc");
  await git(main, "worktree", "add", "-q", "-b", "linked-work", linked);
  return linked;
};

/** A file in dir's own git dir (.git/index; in a linked worktree, .git/worktrees/<name>/index). */
const gitPath = async (dir: string, file: string) => path.resolve(dir, await git(dir, "rev-parse", "--git-path", file));

/** HEAD, the index's bytes, git status and every work-tree file: what --branch must leave as it is. */
const checkout = async (dir: string) => ({
  index: hash(await readFile(await gitPath(dir, "index"))),
  head: await git(dir, "rev-parse", "HEAD"),
  status: await git(dir, "--no-optional-locks", "status", "--porcelain", "--ignored"),
  files: [...(await tree(dir))].map(([p, b]) => `${p} ${hash(b)}`),
});
const hash = (b: Buffer) => createHash("sha256").update(b).digest("hex").slice(0, 16);

/** The tree's entries, path → "mode blob", and each blob's text by path. */
const lsTree = async (dir: string, rev: string) =>
  new Map((await git(dir, "ls-tree", "-r", "-z", rev)).split("\0").filter(Boolean).map((l) => [l.split("\t")[1], l.split("\t")[0].split(" ").filter((_, i) => i !== 1).join(" ")]));
/** A committed file's text; "" where the commit has no such file. */
const blobText = async (dir: string, rev: string, file: string) => (await execa("git", ["--no-replace-objects", "cat-file", "blob", `${rev}:${file}`], { cwd: dir, env: gitEnv, reject: false })).stdout;

/** Plain update and --commit refused with the state's message (exit 3), HEAD where it was, the hidden line kept. */
async function expectRefused(s: State, ...[[work, plain], [commit, committed], head]: [[CliRun, string], [CliRun, string], string]): Promise<void> {
  for (const [run, dir] of [[work, plain], [commit, committed]] as const) {
    expect([run.exitCode, JSON.parse(run.stdout).error]).toEqual([3, expect.stringContaining(s.refused!)]);
    expect(await git(dir, "rev-parse", "HEAD")).toBe(head);
    expect(await git(dir, "status", "--porcelain")).toBe("");
    if (s.hidden) expect(await readFile(path.join(dir, s.hidden.file), "utf8")).toContain(s.hidden.line);
  }
}

const globalConfig = async (text: string) => {
  const file = path.join(await tempDir("cggs-state-global-"), "gitconfig");
  await writeFile(file, text);
  return file;
};

/** Every folder under the repository's objects and refs (a linked worktree's: the main one's). */
const folders = async (dir: string) =>
  (await execa("find", [await gitPath(dir, "objects"), await gitPath(dir, "refs"), "-type", "d"], { cwd: dir })).stdout.split("\n").map((d) => path.relative(dir, d));

let reference = "";
const made = new Map<string, string>();

beforeAll(async () => {
  for (const s of STATES) {
    const dir = await fixtureRepo();
    await edit(dir, "README.md", (t) => t.replace("\n## Endpoints\n", `\n${TEAM_NOTE}\n\n## Endpoints\n`));
    await commitAll(dir, "team note");
    await s.make(dir);
    made.set(s.name, dir);
  }
}, 300_000);

describe.each(STATES)("update in every state git keeps a repository in (issue #28): $name", (s) => {
  test("--check, update, --commit and --branch agree; no line lost or exposed; --branch leaves the checkout as it was", async () => {
    const source = made.get(s.name)!;
    const mains = await Promise.all(["check", "plain", "commit", "branch"].map((l) => copy(source, l)));
    const [checkDir, plain, committed, branched] = s.linked ? await Promise.all(mains.map(linkedWorktree)) : mains;
    const mainsBefore = s.linked ? await Promise.all(mains.map(checkout)) : [];
    const env = { ...gitEnv, CI: "true", ...s.env, ...(s.globalConfig ? { GIT_CONFIG_GLOBAL: await globalConfig(s.globalConfig) } : {}) };
    const check = await runCli(["update", "--check", "--json"], { cwd: checkDir, env });
    const row = JSON.parse(check.stdout).repositories[0] as { status: string; modifiedPlatform: string[]; error?: string };
    if (s.checkError) expect([check.exitCode, row.status, row.error]).toEqual([2, "error", expect.stringContaining(s.checkError)]);
    else
    // The fixture is behind; a platform file is modified only where the team changed one in git.
    expect([check.exitCode, row.status, row.modifiedPlatform], check.stderr).toEqual([1, "behind", []]);

    const before = await checkout(branched);
    const dirsBefore = new Set(await folders(branched));
    const [work, commit, branch] = await Promise.all([
      runCli(["update", "--yes", "--json"], { cwd: plain, env }),
      runCli(["update", "--yes", "--commit", "--json"], { cwd: committed, env }),
      runCli(["update", "--yes", "--branch", "chore/templates", "--json"], { cwd: branched, env }),
    ]);
    // Read before any git here refreshes (and so rewrites) an index.
    const indexModes = (await Promise.all([plain, committed].map((d) => gitPath(d, "index")))).map((f) => (statSync(f).mode & 0o060).toString(8));
    // The main worktree of a linked one: its HEAD (main), index and files as they were, for all four commands.
    if (s.linked) expect(await Promise.all(mains.map(checkout))).toEqual(mainsBefore);
    expect(await checkout(branched)).toEqual(before);
    if (s.branchRefused) {
      expect([branch.exitCode, JSON.parse(branch.stdout).error]).toEqual([3, expect.stringContaining(s.refused!)]);
      expect(await git(branched, "branch", "--list", "chore/templates")).toBe("");
      return expectRefused(s, [work, plain], [commit, committed], before.head);
    }
    if (s.branchConflict) {
      expect([branch.exitCode, JSON.parse(branch.stdout).conflicts]).toEqual([5, [s.branchConflict]]);
      expect(await git(branched, "branch", "--list", "chore/templates")).toBe("");
      return expectRefused(s, [work, plain], [commit, committed], before.head);
    }
    expect([branch.exitCode, branch.stderr]).toEqual([0, ""]);
    const fsck = await execa("git", ["-c", "fsck.zeroPaddedFilemode=ignore", "fsck", "--strict", "--no-dangling"], { cwd: branched, env: gitEnv, reject: false });
    expect([fsck.exitCode, fsck.stdout, fsck.stderr]).toEqual([0, "", ""]);
    // A server that checks what it receives (receive.fsckObjects) accepts the branch.
    const bare = path.join(await tempDir("cggs-state-bare-"), "origin.git");
    await git(branched, "init", "-q", "--bare", bare);
    await git(bare, "config", "receive.fsckObjects", "true");
    if (s.name.includes("zero-padded")) await git(bare, "config", "receive.fsck.zeroPaddedFilemode", "ignore");
    const push = await execa("git", ["push", "-q", bare, "chore/templates"], { cwd: branched, env: gitEnv, reject: false });
    expect([push.exitCode, push.stderr]).toEqual([0, ""]);
    const branchTree = await lsTree(branched, "chore/templates");
    expect(existsSync(await gitPath(branched, "logs/refs/heads/chore/templates"))).toBe(s.reflog ?? true);
    if (s.sameContent && reference === "") reference = await git(branched, "rev-parse", "chore/templates^{tree}");
    if (s.sameContent) expect(await git(branched, "rev-parse", "chore/templates^{tree}")).toBe(reference);

    if (s.refused) await expectRefused(s, [work, plain], [commit, committed], before.head);
    else {
      expect([work.exitCode, commit.exitCode, work.stderr, commit.stderr]).toEqual([0, 0, "", ""]);
      // What plain update staged, --commit committed and --branch committed: one tree.
      expect(await lsTree(committed, "HEAD")).toEqual(branchTree);
      expect(await git(plain, "write-tree")).toBe(await git(committed, "rev-parse", "HEAD^{tree}"));
      // Git sees the work tree as it staged it: nothing modified after update.
      expect(await git(plain, "status", "--porcelain", "--untracked-files=no")).toMatch(/^([MAD] {2}.*\n?)*$/);
      expect(await git(committed, "status", "--porcelain")).toBe("");
      expect(await readFile(path.join(committed, "README.md"), "utf8")).toContain(TEAM_NOTE);
    }
    expect(await blobText(branched, "chore/templates", "README.md")).toContain(TEAM_NOTE);
    if (s.hidden)
      for (const dir of [plain, committed]) {
        expect(await readFile(path.join(dir, s.hidden.file), "utf8")).toContain(s.hidden.line);
        expect(await blobText(dir, "HEAD", s.hidden.file)).not.toContain(s.hidden.line);
      }
    if (s.hidden) expect(await blobText(branched, "chore/templates", s.hidden.file)).not.toContain(s.hidden.line);
    if (s.exposed)
      for (const [dir, rev] of [[committed, "HEAD"], [branched, "chore/templates"]] as const) expect(await blobText(dir, rev, s.exposed.file)).not.toContain(s.exposed.text);
    if (s.mode) {
      expect(branchTree.get(s.mode.file)?.split(" ")[0]).toBe(s.mode.mode);
      if (!s.refused) expect((await lsTree(committed, "HEAD")).get(s.mode.file)?.split(" ")[0]).toBe(s.mode.mode);
    }
    if (s.name.includes("sharedRepository"))
      for (const dir of [branched, plain, committed]) {
        // Every folder each command made (object folders, refs/heads/chore) lets the group write, as git's would.
        const made = (await folders(dir)).filter((d) => !dirsBefore.has(d));
        expect(made.length).toBeGreaterThan(0);
        expect(made.map((d) => [d, (statSync(path.resolve(dir, d)).mode & 0o2070).toString(8)])).toEqual(made.map((d) => [d, "2070"]));
      }
    // The index plain update and --commit rewrote: the group may write it, as after git add (--branch leaves it as it was).
    if (s.name.includes("sharedRepository")) expect(indexModes).toEqual(["60", "60"]);
  }, 300_000);
});

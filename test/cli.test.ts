// The built CLI, run as a user would (child process, no TTY, CI=true), and what it leaves on disk.
import { createHash } from "node:crypto";
import { lstat, mkdir, readdir, readFile, readlink, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import { CLI, gitEnv, runCli, tempDir } from "./helpers/cli.js";

/** path -> sha256 of every file (and link target) under dir, .git included: proves "untouched". */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const rel = path.relative(dir, full);
    if (entry.isSymbolicLink()) out[rel] = `link:${await readlink(full)}`;
    else if (entry.isFile()) out[rel] = createHash("sha256").update(await readFile(full)).digest("hex");
  }
  return out;
}

const git = (cwd: string, ...args: string[]) => execa("git", args, { cwd, env: gitEnv }).then((r) => r.stdout.trim());

describe("a default run", () => {
  test("--yes writes the repository and makes exactly one clean commit on main", async () => {
    const cwd = await tempDir();
    const run = await runCli(["orders-api", "--yes", "--owner", "acme"], { cwd });
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    const dir = path.join(cwd, "orders-api");
    expect(await git(dir, "rev-list", "--count", "HEAD")).toBe("1");
    expect(await git(dir, "status", "--porcelain")).toBe("");
    expect(await git(dir, "branch", "--show-current")).toBe("main");
    const pkg = JSON.parse(await readFile(path.resolve(import.meta.dirname, "../package.json"), "utf8"));
    expect(await git(dir, "log", "-1", "--format=%s")).toBe(`chore: initial commit from create-gitops-go-service v${pkg.version}`);
    const tracked = (await git(dir, "ls-files")).split("\n");
    expect(tracked).toContain("go.mod");
    expect(tracked).toContain("cmd/orders-api/main.go");
    expect(run.stdout).toContain("Next steps:");
    expect(run.stdout).toContain("cd orders-api");
    expect(run.stdout).toContain("git remote add origin https://github.com/acme/orders-api.git");
    // No staging folder left beside the target.
    expect((await readdir(cwd)).sort()).toEqual(["orders-api"]);
  });

  test("--json prints one result object whose files and commit match the disk", async () => {
    const cwd = await tempDir();
    const run = await runCli(["svc", "--yes", "--owner", "acme", "--json"], { cwd });
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout);
    const dir = path.join(cwd, "svc");
    expect(result.ok).toBe(true);
    expect(result.commit).toBe(await git(dir, "rev-parse", "HEAD"));
    expect([...result.files].sort()).toEqual((await git(dir, "ls-files")).split("\n").sort());
    expect(result.answers.name).toBe("svc");
  });

  test("--dry-run writes nothing and lists the plan", async () => {
    const cwd = await tempDir();
    const run = await runCli(["svc", "--yes", "--owner", "acme", "--dry-run"], { cwd });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^Would write \d+ files/);
    expect(run.stdout).toContain("go.mod");
    expect(await readdir(cwd)).toEqual([]);
  });

  test("--no-git writes the files and no repository", async () => {
    const cwd = await tempDir();
    const run = await runCli(["svc", "--yes", "--owner", "acme", "--no-git"], { cwd });
    expect(run.exitCode).toBe(0);
    expect(await readdir(path.join(cwd, "svc"))).not.toContain(".git");
  });
});

// Issue #30: ~94 lines (an 80-line tree) scrolled the summary away; the columns did not line up.
describe("the summary fits a screen", () => {
  const columns = (out: string) => out.split("\n").filter((l) => / {2}# /.test(l)).map((l) => l.indexOf("# "));

  test("at most 25 lines: folders with counts, git, next steps with one comment column, the admin port", async () => {
    const cwd = await tempDir();
    const run = await runCli(["orders-api", "--yes", "--owner", "acme", "--env", "UPSTREAM_URL", "--secret", "API_TOKEN"], { cwd });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout.split("\n").length).toBeLessThanOrEqual(25);
    expect(run.stdout).toMatch(/^Wrote \d+ files to \S+orders-api \(--verbose lists them\):\n {2}\.github\/ \(\d+\), cmd\/ \(3\), deploy\/ \(\d+\)/);
    expect(run.stdout).toMatch(/^ {2}UPSTREAM_URL=\.\.\. API_TOKEN=\.\.\. make run +# .*\/metrics on :9090$/m);
    expect(new Set(columns(run.stdout)).size).toBe(1);
    expect(columns(run.stdout).length).toBe(3);
  });

  test("--verbose shows the whole tree", async () => {
    const cwd = await tempDir();
    const run = await runCli(["svc", "--yes", "--owner", "acme", "--no-git", "--verbose"], { cwd });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain("│   │   ├── ci.yaml");
  });

  test("--no-git prints no git step, and the admin port moves off 9090 with the app", async () => {
    const cwd = await tempDir();
    const run = await runCli(["svc", "--yes", "--owner", "acme", "--no-git", "--port", "9090"], { cwd });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/git (remote|push)|^git:/m);
    expect(run.stdout).toMatch(/make run +# \/livez \/readyz \/healthz on :9090, \/metrics on :9091$/m);
    // Only the first line holds a path of any length.
    for (const line of run.stdout.split("\n").slice(1)) expect(line.length, line).toBeLessThanOrEqual(80);
  });
});

describe("the top folder's mode", () => {
  // As mkdir would make it: from the umask, like every folder inside (it was 0700 from mkdtemp, issue #30).
  test.each([["022", "0755", 0o755], ["027", "0750", 0o750], ["002", "0775", 0o775]])("umask %s gives %s", async (umask, _, mode) => {
    const cwd = await tempDir();
    const run = await execa("sh", ["-c", `umask ${umask} && exec node "$0" svc --yes --owner acme --no-git`, CLI], { cwd, env: { ...gitEnv, CI: "true" }, reject: false });
    expect(run.exitCode, run.stderr).toBe(0);
    expect((await lstat(path.join(cwd, "svc"))).mode & 0o777).toBe(mode);
    expect((await lstat(path.join(cwd, "svc/cmd"))).mode & 0o777).toBe(mode);
  });
});

describe("bad input: exit 2, a message naming flag, value and rule, nothing written", () => {
  test.each([
    [["My_Svc", "--owner", "acme"], "--name (default): 'My_Svc' is not a DNS-1035 label"],
    [["svc", "--owner", "acme", "--port", "80"], "--port: '80' is below 1024"],
    [["svc", "--owner", "acme", "--env", "lower"], "--env: 'lower' is not an environment variable name"],
    [["svc", "--owner", "acme", "--module", "svc"], "--module: 'svc' its first element 'svc' must be a domain name containing a dot"],
    [["svc", "--owner", "acme", "--repo-url", "ftp://x/y"], "--repo-url: 'ftp://x/y' uses 'ftp:'"],
    [["svc", "--owner", "acme", "--bogus"], "error: unknown option '--bogus'\nhint: run with --help to see every option"],
    [["svc", "--onwer", "acme"], "error: unknown option '--onwer'\nhint: did you mean --owner? (run with --help to see every option)"],
    [["svc"], "missing answers: --owner"],
    // The hint pastes as a shell command: `--owner <acme>` was a redirect (issue #30).
    [["svc"], "hint: pass them, e.g.: create-gitops-go-service svc --owner acme — or add --yes to use placeholders"],
  ])("%j", async (args, message) => {
    const cwd = await tempDir();
    const run = await runCli(args, { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await readdir(cwd)).toEqual([]);
  });

  test("an unknown answers-file key names file, line and key", async () => {
    const cwd = await tempDir();
    await writeFile(path.join(cwd, "answers.yaml"), "owner: acme\nregistri: ghcr.io/acme\n");
    const run = await runCli(["svc", "--answers", "answers.yaml"], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("answers.yaml:2: unknown key 'registri': did you mean 'registry'?");
  });

  // Issue #30: the file's unknown key used to end the run before its values and the flags were checked.
  test("an answers file's problems, its values' and the flags' come in one report", async () => {
    const cwd = await tempDir();
    await writeFile(path.join(cwd, "answers.yaml"), "owner: acme\nenviroments: dev\nport: 80\nmonitoring: maybe\n");
    const run = await runCli(["svc", "--answers", "answers.yaml", "--gitops", "jenkins", "--name", "My_Svc"], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.stderr.split("\n")).toEqual([
      "error: --gitops: 'jenkins' is not one of: argocd, flux, none",
      "answers.yaml:2: unknown key 'enviroments': did you mean 'environments'?",
      "answers.yaml:4: key 'monitoring' must be true or false",
      expect.stringMatching(/^answers\.yaml: key 'port': '80' is below 1024/),
      expect.stringMatching(/^--name: 'My_Svc' is not a DNS-1035 label/),
    ]);
    expect(await readdir(cwd)).toEqual(["answers.yaml"]);
  });

  test.each([[["--help"]], [["update", "--help"]]])("%j fits 80 columns when stdout is not a terminal", async (args) => {
    const run = await runCli(args);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.split("\n").length).toBeGreaterThan(20);
    expect(run.stdout.split("\n").filter((l) => l.length > 80)).toEqual([]);
  });
});

describe("target safety: exit 3, and the target stays byte for byte", () => {
  test("a non-empty directory is refused and listed", async () => {
    const cwd = await tempDir();
    const dir = path.join(cwd, "svc");
    await mkdir(path.join(dir, "notes"), { recursive: true });
    await writeFile(path.join(dir, "go.mod"), "module mine\n");
    await writeFile(path.join(dir, "notes", "a.txt"), "keep me");
    const before = await snapshot(dir);
    const run = await runCli(["svc", "--yes", "--owner", "acme"], { cwd });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain("is not empty: go.mod, notes");
    expect(run.stderr).toContain("--force");
    expect(await snapshot(dir)).toEqual(before);
    expect((await readdir(cwd)).sort()).toEqual(["svc"]);
  });

  test("a file where the directory should be is refused", async () => {
    const cwd = await tempDir();
    await writeFile(path.join(cwd, "svc"), "x");
    const run = await runCli(["svc", "--yes", "--owner", "acme"], { cwd });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain("exists and is not a directory");
    expect(await readFile(path.join(cwd, "svc"), "utf8")).toBe("x");
  });

  test("a symlinked target is refused", async () => {
    const cwd = await tempDir();
    const real = await tempDir();
    await symlink(real, path.join(cwd, "svc"));
    const run = await runCli(["svc", "--yes", "--owner", "acme"], { cwd });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain("is a symbolic link");
    expect(await readdir(real)).toEqual([]);
  });

  test("--force writes the planned files and leaves every other file byte-identical", async () => {
    const cwd = await tempDir();
    const dir = path.join(cwd, "svc");
    await mkdir(path.join(dir, "docs"), { recursive: true });
    await writeFile(path.join(dir, "docs", "adr-001.md"), "# decision\n");
    await writeFile(path.join(dir, "go.mod"), "module old\n");
    const extras = await snapshot(dir);
    delete extras["go.mod"];
    const run = await runCli(["svc", "--yes", "--owner", "acme", "--force", "--no-git"], { cwd });
    expect(run.exitCode).toBe(0);
    const after = await snapshot(dir);
    for (const [file, hash] of Object.entries(extras)) expect(after[file], file).toBe(hash);
    expect(await readFile(path.join(dir, "go.mod"), "utf8")).toMatch(/^module github.com\/acme\/svc/);
  });

  test("--force refuses to write through a symlink inside the target", async () => {
    const cwd = await tempDir();
    const outside = await tempDir();
    const dir = path.join(cwd, "svc");
    await mkdir(dir);
    await writeFile(path.join(dir, "keep.txt"), "x");
    await symlink(outside, path.join(dir, "internal"));
    const run = await runCli(["svc", "--yes", "--owner", "acme", "--force", "--no-git"], { cwd });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toMatch(/internal is a symbolic link/);
    expect(await readdir(outside)).toEqual([]);
    expect((await lstat(path.join(dir, "internal"))).isSymbolicLink()).toBe(true);
  });
});

describe("git post-step", () => {
  test("inside an existing work tree: no nested repository, said plainly", async () => {
    const cwd = await tempDir();
    await git(cwd, "init", "-q");
    const run = await runCli(["svc", "--yes", "--owner", "acme"], { cwd });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("git: skipped:");
    expect(run.stdout).toContain("not nesting a repository");
    expect(await readdir(path.join(cwd, "svc"))).not.toContain(".git");
  });

  test("git missing from PATH: exit 4, files kept, the fix shown", async () => {
    const cwd = await tempDir();
    const bin = await tempDir("bin-");
    await symlink(process.execPath, path.join(bin, "node"));
    const run = await runCli(["svc", "--yes", "--owner", "acme"], { cwd, env: { PATH: bin, CI: "true" }, extendEnv: false });
    expect(run.exitCode).toBe(4);
    expect(run.stderr).toContain("git is not installed or not on PATH");
    expect(run.stderr).toContain("--no-git");
    expect(await readdir(path.join(cwd, "svc"))).toContain("go.mod");
  });

  test("git without a user identity: exit 4, files kept, no half-made .git", async () => {
    const cwd = await tempDir();
    const home = await tempDir("home-");
    const env = { PATH: process.env.PATH, HOME: home, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", CI: "true", EMAIL: "" };
    const run = await runCli(["svc", "--yes", "--owner", "acme"], { cwd, env, extendEnv: false });
    expect(run.exitCode).toBe(4);
    expect(run.stderr).toContain("git has no user identity");
    expect(run.stderr).toContain("git config --global user.name");
    const entries = await readdir(path.join(cwd, "svc"));
    expect(entries).toContain("go.mod");
    expect(entries).not.toContain(".git");
  });
});

describe("help and version", () => {
  test("--help lists every option, examples and exit codes", async () => {
    const run = await runCli(["--help"]);
    expect(run.exitCode).toBe(0);
    for (const text of ["--name", "--module", "--owner", "--description", "--port", "--env", "--secret", "--registry", "--repo-url", "--gitops", "--ci", "--environments", "--yes", "--answers", "--force", "--dry-run", "--no-git", "--json", "--version", "Examples:", "Exit codes:", "130"])
      expect(run.stdout).toContain(text);
  });
  test("--version prints the package version", async () => {
    const pkg = JSON.parse(await readFile(path.resolve(import.meta.dirname, "../package.json"), "utf8"));
    expect((await runCli(["--version"])).stdout).toBe(pkg.version);
  });
});

// Issue #17: error output cannot harm a terminal. A rejected value is repeated escaped (control
// characters visible, NUL too) and cut with its size stated; stderr stays under 4 KB for any single
// rejected value; every bad value of a run is reported at once.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { escapeControls, shown, terminalSafe } from "../src/shared/show.js";
import { runCli, tempDir } from "./helpers/cli.js";

/** A raw control byte a terminal acts on: C0 but newline, DEL, and C1 (UTF-8 C2 80-9F). */
export const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe("shown: one helper for every echoed value", () => {
  test.each([
    ["\u001b]0;pwned\u0007", "'\\x1b]0;pwned\\x07'"],
    ["\u001b[2J", "'\\x1b[2J'"],
    ["a\u0000b", "'a\\x00b'"],
    ["tab\there\nnew", "'tab\\there\\nnew'"],
    ["\u009b31m", "'\\x9b31m'"],
    ["\u202eevil", "'\\u202eevil'"],
    ["é 🚀", "'é 🚀'"],
  ])("%j", (value, expected) => {
    expect(shown(value)).toBe(expected);
  });

  test("a long value is cut, its length stated, a surrogate pair never split", () => {
    const big = shown("x".repeat(1_000_000));
    expect(big).toMatch(/^'x{80}…' \(1000000 characters\)$/);
    const emoji = shown("a".repeat(79) + "🚀".repeat(10));
    expect(emoji).toBe(`'${"a".repeat(79)}…' (99 characters)`);
  });

  test("terminalSafe: no raw control character, at most ~3.5 KB, lines beyond counted", () => {
    const out = terminalSafe(`a\u001b[2J\n${"y".repeat(10_000)}\n${Array.from({ length: 500 }, (_, i) => `line ${i}`).join("\n")}`);
    expect(out).not.toMatch(RAW_CONTROL);
    expect(Buffer.byteLength(out)).toBeLessThan(3600);
    expect(out).toMatch(/line cut: 10000 characters/);
    expect(out).toMatch(/… and \d+ more lines$/);
    expect(escapeControls("\u0085")).toBe("\\x85");
  });
});

describe("the CLI's stderr for hostile values", () => {
  const hostile = ["\u001b]0;pwned\u0007", "\u001b[2J\u001b[H", "x\u009b31m", "\u202eevil"];

  test.each(hostile)("--name %j: exit 2, escaped, no raw control byte", async (value) => {
    const run = await runCli(["svc", "--yes", "--owner", "acme", "--no-git", "--name", value], { cwd: await tempDir() });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("--name: '");
    expect(run.stderr).toContain(escapeControls(value));
    expect(run.stderr).not.toMatch(RAW_CONTROL);
  });

  test("a directory argument with escapes: exit 2, escaped", async () => {
    const run = await runCli(["a\u001b[31mred", "--yes", "--owner", "acme", "--no-git"], { cwd: await tempDir() });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("\\x1b[31m");
    expect(run.stderr).not.toMatch(RAW_CONTROL);
  });

  test("a 50 MB value in an answers file: exit 2, stderr under 4 KB stating the size", async () => {
    const cwd = await tempDir();
    const file = path.join(cwd, "answers.json");
    await writeFile(file, JSON.stringify({ description: `${"\u001b[2J".repeat(10)}${"d".repeat(50 * 1024 * 1024)}`, owner: "acme\u0000x" }));
    const run = await runCli(["svc", "--yes", "--no-git", "--answers", file], { cwd });
    expect(run.exitCode).toBe(2);
    expect(Buffer.byteLength(run.stderr)).toBeLessThanOrEqual(4096);
    expect(run.stderr).toContain("(52428840 characters)");
    // The NUL of the second bad value is shown, and both are reported in the one run.
    expect(run.stderr).toContain("key 'owner'");
    expect(run.stderr).toContain("'acme\\x00x'");
    expect(run.stderr).not.toMatch(RAW_CONTROL);
  }, 60_000);

  test("every bad value of a repeatable flag, and of other flags, in one run", async () => {
    const run = await runCli(["svc", "--yes", "--owner", "acme", "--no-git", "--env", "ADMIN_PORT", "--env", "LOG_LEVEL=debug", "--env", "OK=1", "--env", "lower", "--registry", "ghcr.io/UP", "--port", "abc"], {
      cwd: await tempDir(),
    });
    expect(run.exitCode).toBe(2);
    for (const needle of ["--env: 'ADMIN_PORT'", "--env: 'LOG_LEVEL=debug'", "--env: 'lower'", "--registry: 'ghcr.io/UP'", "--port: 'abc' is not a whole number"]) expect(run.stderr).toContain(needle);
    expect(run.stderr).not.toContain("'OK=1'");
  });

  test("a thousand bad values: every one counted, stderr still under 4 KB", async () => {
    const args = Array.from({ length: 1000 }, (_, i) => `--env=bad${i}`);
    const run = await runCli(["svc", "--yes", "--owner", "acme", "--no-git", ...args], { cwd: await tempDir() });
    expect(run.exitCode).toBe(2);
    expect(Buffer.byteLength(run.stderr)).toBeLessThanOrEqual(4096);
    expect(run.stderr).toMatch(/… and \d+ more lines/);
  });
});

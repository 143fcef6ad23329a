// File-system helpers for the reliability tests (issue #8): hash snapshots that prove "untouched",
// and spawning the built CLI with a signal after a delay.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, readlink } from "node:fs/promises";
import path from "node:path";
import { CLI, gitEnv } from "./cli.js";

/** path -> sha256 (or link target, or "dir") of everything under dir; `skip` drops top-level names. */
export async function snapshot(dir: string, skip: string[] = []): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const rel = path.relative(dir, full);
    if (skip.includes(rel.split(path.sep)[0])) continue;
    if (entry.isSymbolicLink()) out[rel] = `link:${await readlink(full)}`;
    else if (entry.isFile()) out[rel] = createHash("sha256").update(await readFile(full)).digest("hex");
    else if (entry.isDirectory()) out[rel] = "dir";
  }
  return out;
}

export interface SignalledRun {
  exitCode: number | null;
  /** Set when the process died of the signal (it arrived before the CLI installed its handlers). */
  signal: NodeJS.Signals | null;
  stderr: string;
  stdout: string;
}

/** Run the built CLI and send `signals` (one after another, `gapMs` apart) once `delayMs` has passed. */
export function runCliWithSignal(args: string[], cwd: string, delayMs: number, signals: NodeJS.Signals[], gapMs = 5, env: NodeJS.ProcessEnv = {}): Promise<SignalledRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...gitEnv, CI: "true", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timers: NodeJS.Timeout[] = [];
    signals.forEach((signal, i) => timers.push(setTimeout(() => child.kill(signal), delayMs + i * gapMs)));
    child.on("error", reject);
    child.on("close", (exitCode, signal) => {
      timers.forEach(clearTimeout);
      resolve({ exitCode, signal, stderr, stdout });
    });
  });
}

/** A small deterministic PRNG (mulberry32), so the signal delays are the same on every run of a seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

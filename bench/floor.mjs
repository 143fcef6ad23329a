// The floor: plain Node writing the same files (from a snapshot) and running the same git commands.
// Nothing can generate this tree faster than this script without skipping work.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const [snapshot, target, git] = process.argv.slice(2);
const files = JSON.parse(readFileSync(snapshot, "utf8"));
for (const f of files) {
  const p = path.join(target, f.path);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, Buffer.from(f.content, "base64"), { mode: f.mode });
}
if (git === "git") {
  const run = (...args) => execFileSync("git", args, { cwd: target, stdio: "ignore" });
  run("init", "--initial-branch=main");
  run("add", "-A");
  run("commit", "-m", "chore: initial commit");
  run("status", "--porcelain");
}

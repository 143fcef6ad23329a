// Reading the objects of a group of repositories: each repository's own loose files first
// (objects.ts), anything else (packed objects) through one `git cat-file --batch` shared by the group,
// which finds them through GIT_ALTERNATE_OBJECT_DIRECTORIES: an object id is its content's hash, so
// the same id in another repository of the group is the same object.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ExitCode, UserError } from "../../shared/errors.js";
import { DAMAGED_HINT, objectId, OBJECT_ID, parseTree, readLoose, type GitObject, type ObjectType, type TreeEntry } from "./objects.js";

/** How long a read may wait for git's next bytes before its answer counts as damaged. */
const SILENCE_MS = 30_000;

/**
 * One `git cat-file --batch` for a group of object folders, started on the first request. Every
 * answer is checked against the id asked for (its header, its length, its hash): git does not hash
 * what it reads, and a damaged loose object can make it print fewer bytes than its header says,
 * which would hand the rest of the stream to the wrong requests, or wait for bytes that never come.
 * A bad answer, git exiting, or git falling silent while reads wait, fails the oldest waiting read
 * (the one git was answering), naming the object; a new process is asked the reads after it.
 */
class BatchProcess {
  private child?: ChildProcessWithoutNullStreams;
  private pending: { id: string; resolve: (o: GitObject | undefined) => void; reject: (e: Error) => void }[] = [];
  private buffered: Buffer = Buffer.alloc(0);
  /** Ids asked for since the last write: written together, one pipe write per turn of the event loop. */
  private queued: string[] = [];
  private ending = false;
  private silence?: NodeJS.Timeout;

  /** gitDir: where git runs; undefined for a neutral one of our own (see neutralGitDir), removed at the end. */
  constructor(
    private gitDir: string | undefined,
    private readonly objectDirs: readonly string[],
  ) {}

  read(id: string): Promise<GitObject | undefined> {
    return new Promise((resolve, reject) => {
      this.pending.push({ id, resolve, reject });
      if (this.queued.push(id) === 1)
        setImmediate(() => {
          const ids = this.queued.splice(0);
          if (ids.length > 0) this.send(ids);
        });
    });
  }

  /** No more reads: git exits once it has answered the ones asked. */
  end(): void {
    this.ending = true;
    if (this.queued.length === 0) this.child?.stdin.end();
    if (!this.child) this.removeNeutral();
  }

  private neutral?: string;

  private removeNeutral(): void {
    if (this.neutral) rmSync(this.neutral, { recursive: true, force: true });
    this.neutral = undefined;
  }

  private send(ids: string[]): void {
    const child = this.start();
    child.stdin.write(`${ids.join("\n")}\n`);
    if (this.ending) child.stdin.end();
    this.watch();
  }

  /** (Re)arm the silence timer while reads wait. */
  private watch(): void {
    clearTimeout(this.silence);
    this.silence = this.pending.length > 0 ? setTimeout(() => this.damaged(`git gave no answer for ${SILENCE_MS / 1000} s`), SILENCE_MS).unref() : undefined;
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    this.neutral ??= this.gitDir === undefined ? neutralGitDir() : undefined;
    // Ids name raw objects (every answer is hashed against its id): replace refs are never applied.
    const env = { ...process.env, GIT_DIR: this.gitDir ?? this.neutral!, GIT_NO_REPLACE_OBJECTS: "1", GIT_ALTERNATE_OBJECT_DIRECTORIES: this.objectDirs.join(path.delimiter) };
    const child = spawn("git", ["cat-file", "--batch"], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.stdout.on("data", (d: Buffer) => this.child === child && this.parse(d));
    child.stdin.on("error", () => undefined); // reported through "close"
    child.on("error", (e) => {
      if (this.child !== child) return;
      // git cannot be started at all: every waiting read fails, and so will a new process.
      const error = new Error(`git cat-file --batch could not start: ${e.message}`);
      for (const p of this.pending.splice(0)) p.reject(error);
      this.child = undefined;
    });
    child.on("close", (code) => {
      if (this.child !== child) return; // replaced after a bad answer: its reads went to the new one
      this.child = undefined;
      if (this.ending && this.pending.length === 0) this.removeNeutral();
      if (this.pending.length > 0) this.damaged(`git cat-file ended (exit ${code})${stderr.trim() ? `: ${lastLine(stderr)}` : ""}`);
    });
    this.child = child;
    return child;
  }

  private parse(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    this.watch();
    for (;;) {
      const eol = this.buffered.indexOf(0x0a);
      if (eol < 0 || this.pending.length === 0) return;
      const [id, type, size] = this.buffered.subarray(0, eol).toString("utf8").split(" ");
      const asked = this.pending[0].id;
      if (id !== asked) return this.damaged(`git answered '${id.slice(0, 50)}'`);
      if (size === undefined) {
        // "<id> missing"
        this.buffered = this.buffered.subarray(eol + 1);
        this.pending.shift()!.resolve(undefined);
        this.watch();
        continue;
      }
      const end = eol + 1 + Number(size);
      if (this.buffered.length < end + 1) return; // the body (and its newline) is still coming
      const body = Buffer.from(this.buffered.subarray(eol + 1, end));
      if (this.buffered[end] !== 0x0a || objectId(type as ObjectType, body) !== asked) return this.damaged("its content does not hash to its id");
      this.buffered = this.buffered.subarray(end + 1);
      this.pending.shift()!.resolve({ type: type as ObjectType, body });
      this.watch();
    }
  }

  /** The answer to the oldest read cannot be had or trusted, nor the stream after it: fail that read, ask the rest again. */
  private damaged(why: string): void {
    const bad = this.pending.shift();
    bad?.reject(new UserError(`object ${bad.id} cannot be read: git cat-file gave a damaged copy or none (${why}): nothing was changed`, ExitCode.unsafeTarget, DAMAGED_HINT));
    const old = this.child;
    this.child = undefined;
    this.buffered = Buffer.alloc(0);
    old?.kill();
    // Reads queued for the next write are the newest: that write sends them.
    const again = this.pending.slice(0, this.pending.length - this.queued.length).map((p) => p.id);
    if (again.length > 0) this.send(again);
    else this.watch();
  }
}

/**
 * An empty git folder of our own for a group's shared `git cat-file`: run in one of the group's
 * repositories, that repository's config (a broken line, an [include], its settings) and refs would
 * decide every other repository's reads. Written by hand (three entries): no git process.
 */
function neutralGitDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "cggs-objects-"));
  mkdirSync(path.join(dir, "objects"));
  mkdirSync(path.join(dir, "refs"));
  writeFileSync(path.join(dir, "HEAD"), "ref: refs/heads/main\n");
  return dir;
}

const lastLine = (text: string): string => text.trim().split("\n").at(-1)!.slice(0, 200);

/** Objects of a group of repositories: read from their own loose files first, then through git. */
export class ObjectReader {
  private readonly batch: BatchProcess;
  private readonly cache = new Map<string, Promise<GitObject | undefined>>();
  private readonly trees = new Map<string, Promise<Map<string, TreeEntry> | undefined>>();

  /** gitDirs: the repositories' git folders (git runs in a neutral one: see neutralGitDir). */
  constructor(private readonly gitDirs: readonly string[]) {
    this.batch = new BatchProcess(undefined, gitDirs.map((d) => path.join(d, "objects")));
  }

  /**
   * The object with this id in objectsDir (or, when packed, in any repository of the group). A read
   * another repository started is shared; where it failed or found nothing, this repository's own
   * copy is still read (one repository's damage is never another's).
   */
  read(objectsDir: string, id: string): Promise<GitObject | undefined> {
    if (!OBJECT_ID.test(id)) return Promise.resolve(undefined);
    const shared = this.cache.get(id);
    if (shared) return shared.then((o) => o ?? this.again(objectsDir, id), () => this.again(objectsDir, id));
    const found = this.own(objectsDir, id) ?? this.batch.read(id);
    this.cache.set(id, found);
    // Only trees and commits are worth keeping: blobs are read once.
    void found.then((o) => o?.type === "blob" && this.cache.delete(id), () => this.cache.delete(id));
    return found;
  }

  /** Where a shared read failed or found nothing: this repository's own copy, or git asked again for it alone. */
  private again(objectsDir: string, id: string): Promise<GitObject | undefined> {
    return this.own(objectsDir, id) ?? this.batch.read(id);
  }

  /**
   * This repository's own loose copy; undefined when it has none (then the object is packed, or
   * missing). A loose file that is there but does not read as the object is asked of a git of its
   * own, so whatever git makes of it (a packed copy, a short answer, an exit) concerns this read alone.
   */
  private own(objectsDir: string, id: string): Promise<GitObject | undefined> | undefined {
    const loose = readLoose(objectsDir, id);
    if (loose === "absent") return undefined;
    if (loose !== "damaged") return Promise.resolve(loose);
    const alternates = this.gitDirs.map((d) => path.join(d, "objects")).filter((d) => d !== objectsDir);
    const batch = new BatchProcess(path.dirname(objectsDir), alternates);
    const read = batch.read(id);
    batch.end();
    return read;
  }

  /** A tree's entries by name (parsed once per run of the group: repositories share many trees). */
  tree(objectsDir: string, id: string): Promise<Map<string, TreeEntry> | undefined> {
    const parse = (t: GitObject | undefined) => (t?.type === "tree" ? new Map(parseTree(t.body).map((e) => [e.name, e])) : undefined);
    const shared = this.trees.get(id);
    if (shared) return shared.then((t) => t ?? this.read(objectsDir, id).then(parse), () => this.read(objectsDir, id).then(parse));
    const parsed = this.read(objectsDir, id).then(parse);
    this.trees.set(id, parsed);
    // A failure or a miss is this repository's: the next one reads its own copy.
    void parsed.then((t) => t === undefined && this.trees.delete(id), () => this.trees.delete(id));
    return parsed;
  }

  close(): void {
    this.batch.end();
  }
}

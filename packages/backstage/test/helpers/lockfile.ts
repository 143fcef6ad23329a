// packages/backstage's lockfile, read as npm lays it out: what an adopter's install of this package brings.
import { expect } from "vitest";

export type LockEntry = { version: string; dev?: boolean; devOptional?: boolean; dependencies?: Record<string, string>; peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }>; engines?: { node?: string } };

/** What `dependencies` pull in at run time: dependencies and required peers, resolved as Node resolves them. Keys are lockfile paths. */
export function runtimeClosure(packages: Record<string, LockEntry>, roots: string[]): Map<string, LockEntry> {
  const resolve = (from: string, name: string): string | undefined => {
    for (let dir = from; ; ) {
      const key = `${dir ? `${dir}/` : ""}node_modules/${name}`;
      if (packages[key]) return key;
      if (!dir) return undefined;
      const i = dir.lastIndexOf("/node_modules/");
      dir = i >= 0 ? dir.slice(0, i) : "";
    }
  };
  const seen = new Map<string, LockEntry>();
  const queue = roots.map((name) => resolve("", name));
  while (queue.length) {
    const key = queue.shift();
    if (!key || seen.has(key)) continue;
    const entry = packages[key];
    seen.set(key, entry);
    const peers = Object.keys(entry.peerDependencies ?? {}).filter((n) => !entry.peerDependenciesMeta?.[n]?.optional);
    for (const name of [...Object.keys(entry.dependencies ?? {}), ...peers]) {
      const next = resolve(key, name);
      expect(next, `${name}, a dependency of ${key}, is in the lockfile`).toBeDefined();
      queue.push(next);
    }
  }
  return seen;
}

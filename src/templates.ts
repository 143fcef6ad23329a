import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";

/** templates/ at the package root: one level up from src/ and dist/, two from dist/chunks/. */
export const TEMPLATES_DIR = [new URL("../templates/", import.meta.url), new URL("../../templates/", import.meta.url)]
  .map((u) => fileURLToPath(u))
  .find((dir) => existsSync(dir)) ?? fileURLToPath(new URL("../templates/", import.meta.url));

// npm drops or mangles these on publish, so they are stored under a safe name.
const RENAMES: Record<string, string> = {
  _gitignore: ".gitignore",
  _dockerignore: ".dockerignore",
  "_golangci.yml": ".golangci.yml",
  "_kube-linter.yaml": ".kube-linter.yaml",
  _github: ".github",
  "_gitlab-ci.yml.hbs": ".gitlab-ci.yml.hbs",
};

export interface TemplateFile {
  /** Path under templates/, POSIX separators, as stored (e.g. `cmd/[name]/main.go.hbs`). */
  id: string;
  content: Buffer;
}

/** Every file under a templates folder, sorted so the plan never depends on the file system's order. */
export async function readTemplates(dir: string = TEMPLATES_DIR): Promise<TemplateFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const ids = entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
  return Promise.all(ids.map(async (id) => ({ id, content: await readFile(path.join(dir, id)) })));
}

/**
 * The output path of a template id for given placeholder values, and whether it is rendered.
 * `[name]` is the service name; `[environment]` expands once per environment (see planFiles).
 * @example outputPath("cmd/[name]/main.go.hbs", { name: "orders" }) // { path: "cmd/orders/main.go", render: true }
 */
export function outputPath(id: string, values: Record<string, string>): { path: string; render: boolean } {
  const segments = id.split("/").map((segment) => {
    const renamed = RENAMES[segment] ?? segment;
    return renamed.replace(/\[(\w+)\]/g, (_, key: string) => {
      const value = values[key];
      if (value === undefined) throw new Error(`template ${id}: no value for path placeholder [${key}]`);
      return value;
    });
  });
  const joined = segments.join("/");
  return joined.endsWith(".hbs") ? { path: joined.slice(0, -4), render: true } : { path: joined, render: false };
}

import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import type { TemplateFile } from "./template-file.js";

export type { TemplateFile } from "./template-file.js";

/** templates/ beside src/: read in development and tests (the published bundle inlines them). */
export const TEMPLATES_DIR = fileURLToPath(new URL("../../templates/", import.meta.url));

// npm drops or mangles these on publish, so they are stored under a safe name.
const RENAMES: Record<string, string> = {
  _gitignore: ".gitignore",
  _dockerignore: ".dockerignore",
  "_golangci.yml": ".golangci.yml",
  "_kube-linter.yaml": ".kube-linter.yaml",
  _github: ".github",
  "_gitlab-ci.yml.hbs": ".gitlab-ci.yml.hbs",
};

/**
 * Every file under a templates folder, sorted so the plan never depends on the file system's order.
 * Without a folder: the templates inlined into the bundle, or templates/ in development.
 */
export async function readTemplates(dir?: string): Promise<TemplateFile[]> {
  if (dir === undefined) {
    const { bundledTemplates } = await import("./bundled-templates.js");
    if (bundledTemplates) return bundledTemplates;
  }
  const root = dir ?? TEMPLATES_DIR;
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const ids = entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
  return Promise.all(
    ids.map(async (id) => {
      const content = await readFile(path.join(root, id));
      return { id, content, sha256: createHash("sha256").update(content).digest("hex") };
    }),
  );
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

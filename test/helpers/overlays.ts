// A rendered repository with each overlay built by `kubectl kustomize` and parsed strictly, and two
// finders over the objects: shared by the progressive-delivery tests (rollouts, flagger).
import path from "node:path";
import { execa } from "execa";
import { parseAllDocuments } from "yaml";
import { expect } from "vitest";
import type { Answers } from "../../src/answers/types.js";
import type { Context } from "../../src/render/context.js";
import type { K8sObject } from "./deploy-schemas.js";
import { renderToDir } from "./render.js";

export interface RenderedOverlays {
  dir: string;
  context: Context;
  files: string[];
  overlays: Map<string, K8sObject[]>;
}

/** YAML documents as objects; a duplicate key or any other YAML error fails with `where` named. */
export function parseManifests(text: string, where: string): K8sObject[] {
  return parseAllDocuments(text, { strict: true, uniqueKeys: true })
    .map((doc) => {
      if (doc.errors.length) throw new Error(`${where}: ${doc.errors.map((e) => e.message).join("\n")}`);
      return doc.toJS() as K8sObject;
    })
    .filter(Boolean);
}

export async function renderOverlays(answers: Partial<Answers>): Promise<RenderedOverlays> {
  const { dir, context, files } = await renderToDir(answers);
  const overlays = new Map<string, K8sObject[]>();
  for (const env of context.environments) {
    const { stdout } = await execa("kubectl", ["kustomize", path.join(dir, "deploy/overlays", env.name)]);
    overlays.set(env.name, parseManifests(stdout, `kustomize ${env.name}`));
  }
  return { dir, context, files, overlays };
}

export const kindIn = (objects: K8sObject[], kind: string): any[] => objects.filter((o) => o.kind === kind);

/** The one object of a kind (the test fails if there are none or several). */
export const only = (objects: K8sObject[], kind: string): any => {
  const found = kindIn(objects, kind);
  expect(found, kind).toHaveLength(1);
  return found[0];
};

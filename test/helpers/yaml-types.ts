// Does any answer change the type (or the shape) of what a YAML reader sees? (issue #17)
// A repository is rendered twice: with the answers under test and with a "bland twin" (the same
// options, counts and toggles, every free-form string swapped for a plain word). Each generated YAML
// file is then read by a YAML 1.1 reader (what sigs.k8s.io/yaml, hence kubectl, kustomize, Argo CD and
// Flux, implement) and a YAML 1.2 core reader, and walked in step with its twin: a scalar that is a
// string in the twin must be a string here (`project: yes` read as true, `- 1e3` read as 1000), and a
// mapping or list must keep its length.
import { isMap, isScalar, isSeq, parseAllDocuments, type Node } from "yaml";
import type { Answers } from "../../src/answers/types.js";
import { buildContext } from "../../src/render/context.js";
import { planFiles, type Plan } from "../../src/render/plan.js";
import { egressOf } from "../../src/render/security.js";
import { TOOL } from "./render.js";

const isYaml = (p: string) => /\.ya?ml$/.test(p);

/** The same options with every name, namespace, project, list element and label a bland word. */
export function blandTwin(a: Answers, labels: Record<string, string> = {}): { answers: Answers; labels: Record<string, string> } {
  const name = "svc";
  // A default that names a destination shapes the NetworkPolicy's egress (one rule per namespace and
  // port, or a public port): the twin's default names a bland one of the same kind, so the rules keep
  // their number while every namespace in them is a plain word.
  const namespaces = new Map<string, string>();
  const blandDefault = (name: string, value: string, url: boolean): string => {
    const egress = egressOf([{ name, goName: name, required: false, default: value, isURL: url }]);
    const [inside] = egress.inCluster;
    if (inside?.namespace) {
      if (!namespaces.has(inside.namespace)) namespaces.set(inside.namespace, `ns${namespaces.size}`);
      return `http://s.${namespaces.get(inside.namespace)}.svc:${inside.port}`;
    }
    if (inside) return `http://h:${inside.port}`;
    if (egress.publicPorts.length > 0) return `https://example.com:${egress.publicPorts[0]}`;
    return url ? "none://example.com" : "x"; // no port known for the scheme: no rule
  };
  const env = a.env.map((spec, i) => {
    const [n, ...rest] = spec.split("=");
    const url = n === "URL" || n.endsWith("_URL");
    const bland = `V${i}${url ? "_URL" : ""}`;
    return rest.length === 0 ? bland : `${bland}=${blandDefault(n, rest.join("="), url)}`;
  });
  // Production is decided by name (prod, production) and position: keep those names.
  const environments = a.environments.map((e, i) => (e === "prod" || e === "production" ? e : `env${i}`));
  const owner = a.owner.split("/").map((_, i) => `o${i}`).join("/");
  const keys = Object.keys(labels).sort();
  return {
    answers: {
      ...a,
      directory: name,
      name,
      owner,
      description: "d",
      module: `example.com/${owner}/${name}`,
      env,
      secret: a.secret.map((_, i) => `S${i}`),
      registry: "ghcr.io/o",
      repoUrl: a.repoUrl.startsWith("https:") ? `https://github.com/${owner}/${name}.git` : `git@github.com:${owner}/${name}.git`,
      argocdProject: a.argocdProject === a.name ? name : "proj",
      environments,
      canaryMaxErrorPercent: "1",
      prometheusUrl: "http://p:9090",
    },
    labels: Object.fromEntries(keys.map((k, i) => [`k${String(i).padStart(2, "0")}`, "v"])),
  };
}

/** A path with the answer-dependent parts (service and environment names) replaced by positions. */
function normalise(p: string, a: Answers): string {
  const env = (e: string) => `#${a.environments.indexOf(e)}`;
  return p
    .replace(/^cmd\/[^/]+\//, "cmd/#/")
    .replace(/^deploy\/overlays\/([^/]+)\//, (_, e: string) => `deploy/overlays/${env(e)}/`)
    .replace(/^deploy\/argocd\/application-(.+)\.yaml$/, (_, e: string) => `deploy/argocd/application-${env(e)}.yaml`)
    .replace(/^deploy\/flux\/kustomization-(.+)\.yaml$/, (_, e: string) => `deploy/flux/kustomization-${env(e)}.yaml`)
    .replace(/^deploy\/monitoring\/tests\/(.+)\.yaml$/, (_, e: string) => `deploy/monitoring/tests/${env(e)}.yaml`)
    .replace(/^deploy\/platform\/(.+)\.yaml$/, (_, e: string) => `deploy/platform/${env(e)}.yaml`);
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (value instanceof Date) return "timestamp";
  return typeof value;
}

function walk(node: unknown, twin: unknown, where: string, problems: string[]): void {
  if (isMap(node) && isMap(twin)) {
    if (node.items.length !== twin.items.length) return void problems.push(`${where}: a mapping of ${node.items.length} keys, ${twin.items.length} in the twin`);
    node.items.forEach((pair, i) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : "?";
      walk(pair.key, twin.items[i].key, `${where}.${key} (key)`, problems);
      walk(pair.value, twin.items[i].value, `${where}.${key}`, problems);
    });
  } else if (isSeq(node) && isSeq(twin)) {
    if (node.items.length !== twin.items.length) return void problems.push(`${where}: a list of ${node.items.length} items, ${twin.items.length} in the twin`);
    node.items.forEach((item, i) => walk(item, twin.items[i], `${where}[${i}]`, problems));
  } else if (isScalar(node) && isScalar(twin)) {
    const [t, u] = [typeOf(node.value), typeOf(twin.value)];
    if (t !== u) problems.push(`${where}: ${JSON.stringify(node.source ?? node.value)} reads as ${t} (a ${u} in the twin)`);
  } else if (Boolean(node) !== Boolean(twin) || isMap(node) !== isMap(twin) || isSeq(node) !== isSeq(twin)) {
    problems.push(`${where}: a ${(node as Node | null)?.constructor?.name ?? "nothing"} where the twin has a ${(twin as Node | null)?.constructor?.name ?? "nothing"}`);
  }
}

/** Every YAML file of `plan` compared with its twin's under both YAML versions; [] when nothing drifted. */
export function compareYamlTypes(plan: Plan, a: Answers, twinPlan: Plan, twin: Answers): string[] {
  const problems: string[] = [];
  const twinFiles = new Map(twinPlan.map((f) => [normalise(f.path, twin), f]));
  for (const file of plan.filter((f) => isYaml(f.path))) {
    const other = twinFiles.get(normalise(file.path, a));
    if (!other) {
      problems.push(`${file.path}: no twin file (${normalise(file.path, a)})`);
      continue;
    }
    for (const version of ["1.1", "1.2"] as const) {
      const docs = parseAllDocuments(file.content.toString("utf8"), { version });
      const twins = parseAllDocuments(other.content.toString("utf8"), { version });
      if (!Array.isArray(docs) || !Array.isArray(twins) || docs.length !== twins.length) {
        problems.push(`${file.path}: YAML ${version}: not the twin's number of documents`);
        continue;
      }
      docs.forEach((doc, i) => {
        for (const e of doc.errors) problems.push(`${file.path}: YAML ${version}: ${e.message}`);
        walk(doc.contents, twins[i].contents, `${file.path} (YAML ${version}) doc ${i}`, problems);
      });
    }
  }
  return problems;
}

/** Render `a` and its bland twin and compare every YAML file's types: the check of issue #17. */
export async function yamlTypeDrift(a: Answers, labels: Record<string, string> = {}): Promise<{ problems: string[]; plan: Plan }> {
  const twin = blandTwin(a, labels);
  const plan = await planFiles(buildContext(a, TOOL, labels));
  const twinPlan = await planFiles(buildContext(twin.answers, TOOL, twin.labels));
  return { problems: compareYamlTypes(plan, a, twinPlan, twin.answers), plan };
}

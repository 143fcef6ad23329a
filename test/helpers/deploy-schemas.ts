// Schema validation for the deploy tests: core kinds with kubernetes-models (types, required fields,
// enums, formats; not strict on unknown fields), custom resources with ajv against the pinned upstream
// CRDs, made strict the way kubectl/kubeconform do it (an unknown field is an error).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";

/** The pinned upstream CRDs vendored in schemas/crds (sources, tags and licences in its README). */
export const CRD_DIR = path.resolve(import.meta.dirname, "../..", "schemas/crds");

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

type Schema = Record<string, unknown>;

/**
 * A CRD version's openAPIV3Schema as a strict JSON schema: `additionalProperties: false` wherever
 * `properties` are listed and unknown fields are not preserved; int-or-string becomes anyOf.
 * `metadata` is left to the API server (the CRD only says `type: object`); `apiVersion` and `kind` are
 * always allowed.
 */
export function crdToSchema(crd: any, version: string): Schema {
  const v = crd.spec.versions.find((x: any) => x.name === version);
  if (!v) throw new Error(`${crd.metadata.name}: no version ${version}`);
  const walk = (s: any): any => {
    if (!s || typeof s !== "object") return s;
    if (Array.isArray(s)) return s.map(walk);
    const o: any = {};
    for (const [k, val] of Object.entries(s)) {
      o[k] = k === "properties" || k === "patternProperties"
        ? Object.fromEntries(Object.entries(val as object).map(([pk, pv]) => [pk, walk(pv)]))
        : walk(val);
    }
    if (o["x-kubernetes-int-or-string"]) {
      delete o.type;
      o.anyOf = [{ type: "integer" }, { type: "string" }];
    }
    if (o.properties && !o["x-kubernetes-preserve-unknown-fields"] && o.additionalProperties === undefined) {
      o.additionalProperties = false;
    }
    return o;
  };
  const schema = walk(v.schema.openAPIV3Schema);
  schema.properties.metadata = { type: "object" };
  // The API server accepts these on every object, whether the CRD lists them or not (policy-controller's
  // ClusterImagePolicy lists only spec and status).
  schema.properties.apiVersion ??= { type: "string" };
  schema.properties.kind ??= { type: "string" };
  return schema;
}

export type CrdValidator = (obj: K8sObject) => string[];

/** `group/version/Kind` -> strict validator, for every served version of every CRD in `dir`. */
export function loadCrdValidators(dir: string = CRD_DIR): Map<string, CrdValidator> | undefined {
  if (!existsSync(dir)) return undefined;
  // CRD patterns are Go (RE2) regexps: the PrometheusRule CRD's `^(?i)(abort|warn)?$` uses an inline flag
  // that JavaScript spells as the `i` flag (the only one the pinned CRDs use, at the pattern's start).
  const regExp = Object.assign((pattern: string, flags: string) => (pattern.includes("(?i)") ? new RegExp(pattern.replace("(?i)", ""), `${flags}i`) : new RegExp(pattern, flags)), {
    code: "new RegExp",
  });
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp } });
  const validators = new Map<string, CrdValidator>();
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
    for (const doc of parseAllDocuments(readFileSync(path.join(dir, file), "utf8"))) {
      const crd = doc.toJS();
      if (crd?.kind !== "CustomResourceDefinition") continue;
      for (const version of crd.spec.versions) {
        if (!version.served) continue;
        const key = `${crd.spec.group}/${version.name}/${crd.spec.names.kind}`;
        let compiled: ValidateFunction | undefined;
        validators.set(key, (obj) => {
          compiled ??= ajv.compile(crdToSchema(crd, version.name));
          return compiled(obj) ? [] : (compiled.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
        });
      }
    }
  }
  return validators;
}

/** The key loadCrdValidators uses for an object. */
export const crdKey = (obj: K8sObject): string => `${obj.apiVersion}/${obj.kind}`;

/** Validate a core (non-CRD) kind with its kubernetes-models class; throws with ajv's errors. */
export async function validateCoreKind(obj: K8sObject): Promise<void> {
  const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : [undefined, obj.apiVersion];
  const spec = group ? `kubernetes-models/${group}/${version}/${obj.kind}` : `kubernetes-models/${version}/${obj.kind}`;
  const model = (await import(spec))[obj.kind] as new (data: unknown) => { validate(): void };
  if (!model) throw new Error(`kubernetes-models has no ${obj.kind} in ${spec}`);
  new model(obj).validate();
}

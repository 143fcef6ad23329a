// Pod sizing answers (`--resources`, `--production-resources`): one compact string per class of
// environment, `cpu=250m,memory=512Mi,replicas=3-10`, so a flag, an answers file and a preset's
// defaults all say it the same way. Parsed here, once; the templates only see the parsed numbers.

import { shown } from "../shared/show.js";
/** A parsed sizing: what each overlay's patch-resources.yaml writes. */
export interface Sizing {
  /** requests.cpu in canonical form (`250m`, `1`, `1500m`). No CPU limit is written: it throttles a Go service. */
  cpu: string;
  /** requests.memory and limits.memory in canonical form (`512Mi`, `2Gi`); equal, so a pod is never killed for using what it asked for. */
  memory: string;
  /** GOMEMLIMIT: 90% of the memory limit, rounded down to whole MiB, so the Go GC works before the OOM killer. */
  goMemLimit: string;
  minReplicas: number;
  maxReplicas: number;
}

const CPU = /^(?:[1-9][0-9]{0,5}m|(?:0|[1-9][0-9]?)(?:\.[0-9]{1,3})?)$/;
const MEMORY = /^([1-9][0-9]{0,5})(Mi|Gi)$/;
const REPLICAS = /^([1-9][0-9]{0,2})-([1-9][0-9]{0,2})$/;
const KEYS = ["cpu", "memory", "replicas"] as const;

/** The form every message shows. */
export const SIZING_FORM = "cpu=<cores or millicores>,memory=<Mi or Gi>,replicas=<min>-<max>";

/** The JSON Schema pattern for the form (the validator below stays the authority on bounds). */
export const SIZING_PATTERN = "^(?:(?:cpu|memory|replicas)=[^,=]+)(?:,(?:cpu|memory|replicas)=[^,=]+){2}$";

function millicores(cpu: string): number {
  return cpu.endsWith("m") ? Number(cpu.slice(0, -1)) : Math.round(Number(cpu) * 1000);
}

function mebibytes(memory: string): number {
  const [, n, unit] = MEMORY.exec(memory)!;
  return Number(n) * (unit === "Gi" ? 1024 : 1);
}

/** Parse a sizing, or say which part breaks which rule. */
export function parseSizing(value: string): { sizing?: Sizing; problem?: string } {
  const parts = new Map<string, string>();
  for (const part of value.split(",")) {
    const eq = part.indexOf("=");
    const key = eq === -1 ? part.trim() : part.slice(0, eq).trim();
    if (!(KEYS as readonly string[]).includes(key)) return { problem: `has an unknown part ${shown(part)}: write ${SIZING_FORM}` };
    if (eq === -1) return { problem: `has no value for ${shown(key)}: write ${SIZING_FORM}` };
    if (parts.has(key)) return { problem: `sets ${shown(key)} twice` };
    parts.set(key, part.slice(eq + 1).trim());
  }
  const missing = KEYS.filter((k) => !parts.has(k));
  if (missing.length > 0) return { problem: `does not set ${missing.join(", ")}: write ${SIZING_FORM}` };
  const cpu = parts.get("cpu")!;
  const memory = parts.get("memory")!;
  const replicas = parts.get("replicas")!;
  if (!CPU.test(cpu)) return { problem: `has cpu ${shown(cpu)}, which is not a CPU quantity such as 250m or 1.5` };
  if (millicores(cpu) < 10 || millicores(cpu) > 64000) return { problem: `has cpu ${shown(cpu)}: use 10m to 64 cores` };
  if (!MEMORY.test(memory)) return { problem: `has memory ${shown(memory)}, which is not a whole number of Mi or Gi such as 512Mi or 2Gi` };
  // Below 32 MiB the Go runtime, the Prometheus registry and a few requests already reach the limit.
  if (mebibytes(memory) < 32 || mebibytes(memory) > 65536) return { problem: `has memory ${shown(memory)}: use 32Mi to 64Gi` };
  const r = REPLICAS.exec(replicas);
  if (!r) return { problem: `has replicas ${shown(replicas)}, which is not <min>-<max> such as 2-10` };
  const [minReplicas, maxReplicas] = [Number(r[1]), Number(r[2])];
  if (minReplicas > maxReplicas) return { problem: `has replicas ${shown(replicas)}: the minimum is above the maximum` };
  if (maxReplicas > 100) return { problem: `has replicas ${shown(replicas)}: at most 100` };
  // Written in the form the API server stores (1.5 -> 1500m, 1024Mi -> 1Gi), so Git and the live
  // object read the same and a GitOps diff never shows a change that is not one.
  const m = millicores(cpu);
  const mib = mebibytes(memory);
  return {
    sizing: {
      cpu: m % 1000 === 0 ? String(m / 1000) : `${m}m`,
      memory: mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`,
      goMemLimit: `${Math.floor(mib * 0.9)}MiB`,
      minReplicas,
      maxReplicas,
    },
  };
}

/** The question validator for the non-production sizing. */
export function sizing(value: string): string | undefined {
  return parseSizing(value).problem;
}

/**
 * The question validator for the production sizing: two replicas at least, so a node drain or a
 * lost node never takes the service down (the PodDisruptionBudget lets one go at a time).
 */
export function productionSizing(value: string): string | undefined {
  const { sizing: parsed, problem } = parseSizing(value);
  if (problem) return problem;
  if (parsed!.minReplicas < 2) return `has replicas '${parsed!.minReplicas}-${parsed!.maxReplicas}': production needs at least 2 replicas, so a node drain never takes it down`;
  return undefined;
}

/**
 * Production-sized: an environment named prod or production, or the last of several (promotion
 * order ends in production). A single environment with another name is not production.
 */
export function isProduction(environments: readonly string[], index: number): boolean {
  return /^prod(uction)?$/.test(environments[index]) || (environments.length > 1 && index === environments.length - 1);
}

/** Which of the two sizes a list of environments uses: --production-resources, --resources, or both. */
export function sizeClasses(environments: readonly string[]): { production: boolean; other: boolean } {
  const production = environments.map((_, i) => isProduction(environments, i));
  return { production: production.includes(true), other: production.includes(false) };
}

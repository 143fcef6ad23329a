// Environments: which ones, and how big the service's pods are in each kind.
import * as rules from "../rules.js";
import { productionSizing, sizeClasses, sizing, SIZING_PATTERN } from "../sizing.js";
import { each, q } from "./question.js";

export const environmentQuestions = [
  q({
    name: "environments",
    flag: "environments",
    kind: "list",
    message: "Environments, in promotion order (comma-separated)",
    help: "Environments in promotion order, comma-separated; one overlay and namespace each",
    example: "dev,staging,prod",
    default: () => ["dev", "staging", "prod"],
    validate: (v) => (v.length === 0 ? "needs at least one environment" : v.length > 10 ? "has more than 10 environments" : each(rules.dns1123Label)(v)),
    schema: { minItems: 1, maxItems: 10, uniqueItems: true, items: { pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength: 63 } },
  }),
  q({
    name: "resources",
    flag: "resources",
    kind: "text",
    message: "Pod size outside production (cpu request, memory, replicas min-max)",
    help: "Pod size in every environment but production: cpu request, memory (request = limit), HPA replicas min-max",
    example: "cpu=100m,memory=256Mi,replicas=1-5",
    default: () => "cpu=50m,memory=128Mi,replicas=1-3",
    when: (a) => sizeClasses(a.environments ?? []).other,
    validate: sizing,
    schema: { pattern: SIZING_PATTERN },
  }),
  q({
    name: "productionResources",
    flag: "production-resources",
    kind: "text",
    message: "Pod size in production (cpu request, memory, replicas min-max; at least 2 replicas)",
    help: "Pod size in production (the last environment, or one named prod): cpu request, memory, HPA replicas min-max (min at least 2)",
    example: "cpu=500m,memory=1Gi,replicas=3-20",
    default: () => "cpu=250m,memory=512Mi,replicas=3-10",
    when: (a) => sizeClasses(a.environments ?? []).production,
    validate: productionSizing,
    schema: { pattern: SIZING_PATTERN },
  }),
];

import type { Generator } from "./types.js";

// The SLO alerts and what proves and explains them: per environment a PrometheusRule (in the overlay,
// since its selectors name the environment's namespace) and the promtool unit tests for it, the script
// and runbook. The ServiceMonitor they read stays a Kustomize component of the kubernetes generator.
export const monitoring: Generator = {
  name: "monitoring",
  description: "SLO burn-rate alerts per environment (PrometheusRule), their promtool unit tests, scripts/test-alerts.sh, docs/runbook.md",
  templates: [
    "deploy/overlays/[environment]/prometheusrule.yaml.hbs",
    "deploy/monitoring/",
    "scripts/test-alerts.sh",
    // The team adds what it learns to the runbook; an update merges.
    { path: "docs/runbook.md.hbs", ownership: "shared" },
  ],
  when: (c) => c.monitoring,
  ownership: "platform",
};

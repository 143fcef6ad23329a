// Shown in Backstage's action list (/create/actions); each one is parsed and run by the tests.
import type { TemplateExample } from "@backstage/plugin-scaffolder-node";

export const examples: TemplateExample[] = [
  {
    description: "A service with the defaults (Argo CD, GitHub Actions, dev/staging/prod) in the workspace root",
    example: `steps:
  - id: create
    name: Generate the service
    action: gitops:go-service:create
    input:
      name: orders-api
      owner: acme
      description: Takes and tracks customer orders
`,
  },
  {
    description: "Flux and GitLab CI, two environments, configuration and a secret, into a subfolder",
    example: `steps:
  - id: create
    name: Generate the service
    action: gitops:go-service:create
    input:
      name: payments
      owner: acme/platform
      ci: gitlab
      gitops: flux
      environments: [dev, prod]
      env: [UPSTREAM_URL, GREETING=hello]
      secret: [DATABASE_PASSWORD]
      port: 9000
      outputPath: payments
`,
  },
  {
    description: "An Argo CD ApplicationSet with an Argo Rollouts canary gated by Prometheus analysis",
    example: `steps:
  - id: create
    name: Generate the service
    action: gitops:go-service:create
    input:
      name: checkout
      owner: acme
      argocdMode: applicationset
      progressive: argo-rollouts
      canaryMaxErrorPercent: "0.5"
      canaryMaxP95Ms: 300
`,
  },
  {
    description: "Held to the platform team's preset, fetched into the workspace by an earlier step",
    example: `steps:
  - id: preset
    name: Fetch the preset
    action: fetch:plain:file
    input:
      url: https://github.com/acme/golden-paths/blob/main/preset.yaml
      targetPath: .presets/preset.yaml
  - id: create
    name: Generate the service
    action: gitops:go-service:create
    input:
      name: inventory
      preset: .presets/preset.yaml
      outputPath: service
`,
  },
];

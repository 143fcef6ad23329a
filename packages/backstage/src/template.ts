// The example software template (template.yaml), generated from the action's input schema, which is
// generated from the question table: a new question shows up here, or the template test fails.
import { createGitopsGoServiceAction, ACTION_ID } from "./action.js";
import { engine } from "./engine.js";

type Schema = Record<string, unknown>;

/** The form's pages: every question appears on one, or in FIXED. */
export const PAGES: { title: string; description: string; fields: string[] }[] = [
  { title: "Service", description: "What the service is called, where its repository lives and who owns it", fields: ["name", "ci", "owner", "description", "module", "port"] },
  { title: "Configuration", description: "Environment variables the service reads; secret values are never written anywhere", fields: ["env", "secret", "secrets"] },
  {
    title: "Delivery",
    description: "Image, GitOps controller and environments",
    fields: ["registry", "gitops", "argocdMode", "argocdProject", "environments", "resources", "productionResources", "monitoring", "alertmanagerUrl", "networkPolicy", "admission", "templateUpdate"],
  },
  {
    title: "Progressive delivery",
    description: "Optional: an Argo Rollouts canary that Prometheus analysis promotes or aborts (Argo CD or no controller, with monitoring)",
    fields: ["progressive", "canaryMaxErrorPercent", "canaryMaxP95Ms", "prometheusUrl"],
  },
  {
    title: "Alerts",
    description: "Service level objectives for the burn-rate alerts (with monitoring); empty fields take the defaults",
    fields: ["sloAvailability", "sloLatencyPercent", "sloLatencyMs"],
  },
];

/**
 * The hosts the template publishes to, one per CI choice: the `ci` answer picks the publish step
 * (`if:`), so a GitLab group path (`group/subgroup`) goes to publish:gitlab, never to publish:github.
 * The repository URL the GitOps controller pulls from is left to its default,
 * https://<host>/<owner>/<name>.git, which is where that step creates the repository.
 */
export const HOSTS = [
  { ci: "github", id: "publishGithub", title: "GitHub", action: "publish:github", host: "github.com" },
  { ci: "gitlab", id: "publishGitlab", title: "GitLab", action: "publish:gitlab", host: "gitlab.com" },
] as const;
/** Answers the template sets itself. */
export const FIXED: Record<string, unknown> = {};
/**
 * The generator writes catalog-info.yaml itself when it has the `catalog` question: the template then
 * keeps it on and registers that file; otherwise a catalog:write step describes the component.
 */
export const GENERATES_CATALOG = engine.questionList.some((q) => q.name === "catalog");
if (GENERATES_CATALOG) FIXED.catalog = true;
export const DERIVED = ["repoUrl"];

/** Questions whose default reads no other answer and that are always asked: shown pre-filled. */
function staticDefault(name: string): unknown {
  const question = engine.questionList.find((q) => q.name === name)!;
  if (!question.default || question.default.length > 0 || question.when) return undefined;
  return question.default({});
}

/** The action's input schema as the scaffolder publishes it (draft-07 JSON Schema). */
export function actionInputSchema(): { properties: Record<string, Schema>; required?: string[] } {
  return createGitopsGoServiceAction().schema!.input as never;
}

export function templateEntity() {
  type Page = { title: string; description: string; required?: string[]; properties: Record<string, Schema> };
  const { properties, required = [] } = actionInputSchema();
  const parameters: Page[] = PAGES.map((page) => {
    const props: Record<string, Schema> = {};
    for (const field of page.fields) {
      const question = engine.questionList.find((q) => q.name === field)!;
      const def = staticDefault(field);
      props[field] = { title: question.message, ...properties[field], ...(def !== undefined ? { default: def } : {}), ...(field === "name" ? { "ui:autofocus": true } : {}) };
    }
    // The form offers only the hosts it can publish to; "none" (no CI) has no publish step.
    if (props.ci) props.ci = { ...props.ci, title: "Git host and CI", enum: HOSTS.map((h) => h.ci), description: "Where the repository is published (GitHub or GitLab) and whose CI builds it" };
    // GitHub has no subgroups: refuse `group/subgroup` in the form already, not only in the action.
    const hostRule = page.fields.includes("owner") && page.fields.includes("ci") ? { if: { properties: { ci: { const: "github" } } }, then: { properties: { owner: { pattern: "^[^/]*$" } } } } : {};
    // The owner has no default, and the template publishes to <host>/<owner>/<name>.
    const pageRequired = [...required, "owner"].filter((r) => page.fields.includes(r));
    return { title: page.title, description: page.description, ...(pageRequired.length > 0 ? { required: pageRequired } : {}), properties: props, ...hostRule };
  });
  if (!GENERATES_CATALOG) parameters.push(catalogOwnerPage());
  const input: Record<string, unknown> = { ...FIXED };
  for (const page of PAGES) for (const field of page.fields) input[field] = `\${{ parameters.${field} }}`;
  return {
    apiVersion: "scaffolder.backstage.io/v1beta3",
    kind: "Template",
    metadata: {
      name: "gitops-go-service",
      title: "Go service with GitOps delivery",
      description:
        "A production-grade Go service repository: Dockerfile, kustomize base and overlays, Argo CD or Flux, CI that tags images by commit SHA. The same files as `npx create-gitops-go-service`.",
      tags: ["go", "gitops", "kubernetes", "argocd", "flux"],
    },
    spec: {
      owner: "group:platform",
      type: "service",
      parameters,
      steps: [
        { id: "create", name: "Generate the repository", action: ACTION_ID, input },
        ...(GENERATES_CATALOG ? [] : [catalogWriteStep()]),
        ...HOSTS.map((h) => ({
          id: h.id,
          name: `Publish to ${h.title}`,
          if: `\${{ parameters.ci == '${h.ci}' }}`,
          action: h.action,
          input: {
            repoUrl: `${h.host}?owner=\${{ parameters.owner }}&repo=\${{ parameters.name }}`,
            ...(h.ci === "github" ? { description: "${{ steps.create.output.answers.description }}" } : {}),
            defaultBranch: "main",
            repoVisibility: "private",
          },
        })),
        {
          id: "register",
          name: "Register in the catalog",
          action: "catalog:register",
          input: { repoContentsUrl: published("repoContentsUrl"), catalogInfoPath: "/catalog-info.yaml" },
        },
      ],
      output: {
        links: [
          { title: "Repository", url: published("remoteUrl") },
          { title: "Open in catalog", icon: "catalog", entityRef: "${{ steps.register.output.entityRef }}" },
        ],
        text: [
          {
            title: "Delivery",
            content:
              "Image `${{ steps.create.output.image }}`; overlays `${{ steps.create.output.gitops.overlays | join(', ') }}`; " +
              "GitOps objects in `${{ steps.create.output.gitops.argocd or steps.create.output.gitops.flux or 'none' }}`, to apply once (the repository's README says how).",
          },
        ],
      },
    },
  };
}

/** An output of whichever publish step ran (the other was skipped and has none). */
function published(output: string): string {
  return `\${{ ${HOSTS.map((h) => `steps.${h.id}.output.${output}`).join(" or ")} }}`;
}

export const TEMPLATE_HEADER =
  "# Generated from the question table by `npm run -w @create-gitops-go-service/backstage generate:template`: do not edit.\n" +
  "# A test fails when it is stale. Register it in the catalog (catalog.locations) or copy it into your templates repository.\n";

/** template.yaml's text. */
export async function templateYaml(): Promise<string> {
  const { stringify } = (await import("yaml")).default ?? (await import("yaml"));
  return TEMPLATE_HEADER + stringify(templateEntity(), { lineWidth: 0 });
}

function catalogWriteStep() {
  return {
    id: "catalog",
    name: "Describe it for the catalog",
    action: "catalog:write",
    input: {
      entity: {
        apiVersion: "backstage.io/v1alpha1",
        kind: "Component",
        metadata: {
          name: "${{ parameters.name }}",
          description: "${{ steps.create.output.answers.description }}",
          annotations: { "github.com/project-slug": "${{ parameters.owner }}/${{ parameters.name }}" },
        },
        spec: { type: "service", lifecycle: "experimental", owner: "${{ parameters.catalogOwner }}" },
      },
    },
  };
}

function catalogOwnerPage() {
  return {
    title: "Catalog",
    description: "Who owns the component in the Backstage catalog",
    required: ["catalogOwner"],
    properties: {
      catalogOwner: { title: "Owner", type: "string", description: "The group or user that owns the component", "ui:field": "OwnerPicker", "ui:options": { catalogFilter: { kind: ["Group", "User"] } } },
    },
  };
}

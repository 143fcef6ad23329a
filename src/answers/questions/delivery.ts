// Delivery: where the image goes and how GitOps deploys it.
import type { Answers } from "../types.js";
import * as rules from "../rules.js";
import { q } from "./question.js";
import { repositoryUrl } from "../urls.js";
import { cron } from "../cron.js";

const lowerOwner = (a: Partial<Answers>): string => (a.owner ?? "").toLowerCase();

export const deliveryQuestions = [
  q({
    name: "registry",
    flag: "registry",
    kind: "text",
    message: "Image registry and path prefix",
    help: "Image repository prefix; the image is <registry>/<name> (default: ghcr.io/<owner>)",
    example: "ghcr.io/acme",
    default: (a) => (a.owner ? (a.ci === "gitlab" ? `registry.gitlab.com/${lowerOwner(a)}` : `ghcr.io/${lowerOwner(a)}`) : undefined),
    validate: rules.registry,
    schema: { pattern: "^[a-zA-Z0-9.-]+(:[0-9]+)?(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)+$", maxLength: 200 },
  }),
  q({
    name: "repoUrl",
    flag: "repo-url",
    kind: "text",
    message: "Git URL the repository will live at (GitOps controllers pull from it)",
    help: "Where the repository will live; the GitOps manifests pull from it (https or ssh)",
    example: "https://github.com/acme/orders-api.git",
    default: (a) => (a.owner && a.name ? `https://${a.ci === "gitlab" ? "gitlab.com" : "github.com"}/${a.owner}/${a.name}.git` : undefined),
    validate: rules.gitUrl,
    schema: { pattern: repositoryUrl.pattern },
  }),
  q({
    name: "gitops",
    flag: "gitops",
    kind: "choice",
    message: "GitOps controller",
    help: "GitOps controller that syncs the overlays",
    example: "argocd",
    choices: ["argocd", "flux", "none"],
    default: () => "argocd" as const,
    validate: () => undefined,
  }),
  q({
    name: "argocdMode",
    flag: "argocd-mode",
    kind: "choice",
    message: "Argo CD objects",
    help: "One Application per environment, or one ApplicationSet (only with --gitops argocd)",
    example: "applications",
    choices: ["applications", "applicationset"],
    default: () => "applications" as const,
    when: (a) => a.gitops === "argocd",
    validate: () => undefined,
  }),
  q({
    name: "argocdProject",
    flag: "argocd-project",
    kind: "text",
    message: "Argo CD project",
    help: "Argo CD project of the Applications: the service's own, generated (default: the name), or an existing one your platform team manages (only with --gitops argocd)",
    example: "payments",
    default: (a) => a.name,
    when: (a) => a.gitops === "argocd",
    validate: rules.dns1123Label,
    schema: { pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength: 63 },
  }),
  q({
    name: "templateUpdate",
    flag: "template-update",
    kind: "text",
    message: "When CI proposes the template's updates (a 5-field cron, UTC), or off",
    help: "When the repository's CI checks for a newer template and proposes it as a pull (GitHub) or merge (GitLab) request: a 5-field cron schedule (UTC), or off (not with --ci none); on GitLab the README says to set it on a pipeline schedule",
    example: "0 6 * * 1",
    // Monday morning, a weekday's start: the pull request waits for people who are there to review it.
    default: () => "17 5 * * 1",
    // The repository's CI runs it: there is nothing to schedule with --ci none. GitLab reads the cron
    // from a pipeline schedule (set in the UI or API), which the README names with this exact line.
    when: (a) => a.ci !== "none",
    validate: cron,
    schema: { pattern: "^(off|\\S+( \\S+){4})$", maxLength: 100 },
  }),
];

// Rules that span several answers. They run once all answers are known, whatever their source.
import type { Answers } from "./types.js";
import { gitopsRepoUrl, goIdentifier } from "./names.js";
import { flagNaming, type Naming, type Problem } from "./naming.js";
import { shown } from "../shared/show.js";
import { sizeClasses } from "./sizing.js";
import { ARGOCD_BUILTIN_PROJECTS, FLUX_OWN_OBJECTS, systemNamespace } from "./reserved.js";

const BUILTIN_GO_FIELDS = ["Port", "AdminPort", "LogLevel", "ShutdownDelay", "ShutdownTimeout"];

/** Every problem at once, each naming the answers involved (as flags unless the caller names them otherwise). */
export function crossCheck(answers: Answers, explicit: ReadonlySet<keyof Answers>, naming: Naming = flagNaming): Problem[] {
  const problems: Problem[] = [];
  const { answer: n, setting: set } = naming;
  const add = (fields: (keyof Answers)[], text: string) => void problems.push({ fields, text });
  const names = [...answers.env.map((spec) => spec.split("=")[0]), ...answers.secret];
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) add(["env", "secret"], `${n("env")}/${n("secret")}: '${name}' is declared more than once`);
    seen.add(name);
  }
  const fields = new Map<string, string>(BUILTIN_GO_FIELDS.map((f) => [f, "a built-in setting"]));
  for (const name of new Set(names)) {
    const field = goIdentifier(name);
    const other = fields.get(field);
    if (other) add(["env", "secret"], `${n("env")}/${n("secret")}: '${name}' and ${other === "a built-in setting" ? other : `'${other}'`} both become the Go field ${field}`);
    else fields.set(field, name);
  }
  for (const env of new Set(answers.environments)) {
    const namespace = `${answers.name}-${env}`;
    if (namespace.length > 63)
      add(["name", "environments"], `${n("name")}/${n("environments")}: the namespace '${namespace}' is longer than 63 characters: shorten the name or the environment`);
    const system = systemNamespace(namespace);
    if (system)
      add(
        ["name", "environments"],
        `${n("name")}/${n("environments")}: the namespace '${namespace}' ${system}: the generated Namespace and GitOps objects would take it over ` +
          `(pruning it, or deleting it with the application): choose another name or environment`,
      );
    if (answers.gitops === "flux" && FLUX_OWN_OBJECTS.includes(namespace))
      add(["name", "environments"], `${n("name")}/${n("environments")}: the Flux Kustomization '${namespace}' would replace Flux's own (flux bootstrap's): choose another name or environment`);
  }
  if (answers.gitops === "argocd" && answers.argocdProject === answers.name && ARGOCD_BUILTIN_PROJECTS.includes(answers.name))
    add(
      ["name", "argocdProject"],
      `${n("name")}/${n("argocdProject")}: the service's own project would be AppProject '${answers.name}', Argo CD's built-in project: applying it would narrow every ` +
        `Application in that project to this repository: choose another name, or ${set("argocdProject", "<an existing project>")}`,
    );
  if (answers.gitops === "flux" && FLUX_OWN_OBJECTS.includes(answers.name))
    add(["name", "gitops"], `${n("name")}: the GitRepository '${answers.name}' in flux-system would replace Flux's own source (flux bootstrap's), redirecting Flux's self-sync to this repository: choose another name`);
  if (new Set(answers.environments).size !== answers.environments.length)
    add(["environments"], `${n("environments")}: '${answers.environments.join(",")}' names an environment twice`);
  // GitHub has no subgroups: github.com/<group>/<sub>/<name> cannot exist, nor can its Actions run.
  if (answers.owner.includes("/") && answers.ci === "github")
    add(["owner", "ci"], `${n("owner")}/${n("ci")}: ${shown(answers.owner)} is a group path, which GitHub does not have (${set("ci", "github")}): use ${set("ci", "gitlab")} or a GitHub organisation`);
  const github = /^(?:https:\/\/|ssh:\/\/[^@/]+@)github\.com(?::\d+)?\/(.+)$/.exec(gitopsRepoUrl(answers.repoUrl));
  if (github && github[1].replace(/\.git$/, "").split("/").filter(Boolean).length !== 2)
    add(["repoUrl"], `${n("repoUrl")}: ${shown(answers.repoUrl)} is not a GitHub repository address (github.com/<owner>/<repository>)${explicit.has("repoUrl") ? "" : `: pass ${n("repoUrl")}, or ${set("ci", "gitlab")} for a GitLab group`}`);
  if (`${answers.registry}/${answers.name}`.length > 255) add(["registry", "name"], `${n("registry")}/${n("name")}: the image name is longer than 255 characters`);
  // GitLab scopes each job's token by environment name: the template-update job's must not be a deploy target's.
  if (answers.ci === "gitlab" && answers.templateUpdate !== "off" && answers.environments.includes("template-update"))
    add(["environments", "templateUpdate"], `${n("environments")}: 'template-update' is the GitLab environment of the template-update job, whose token it scopes: name the environment otherwise, or pass ${set("templateUpdate", "off")}`);
  if (explicit.has("templateUpdate") && answers.ci === "none" && answers.templateUpdate !== "off")
    add(["templateUpdate", "ci"], `${n("templateUpdate")} applies only with ${set("ci", "github")} or ${set("ci", "gitlab")} (got ${set("ci", answers.ci)}): the repository's CI proposes the update`);
  if (explicit.has("admission") && answers.ci === "none" && answers.admission !== "none")
    add(["admission", "ci"], `${set("admission", answers.admission)} needs ${set("ci", "github")} or ${set("ci", "gitlab")} (got ${set("ci", "none")}): the policy admits only images the release pipeline signed, and without CI nothing signs them`);
  if (explicit.has("argocdMode") && answers.gitops !== "argocd")
    add(["argocdMode", "gitops"], `${n("argocdMode")} applies only with ${set("gitops", "argocd")} (got ${set("gitops", answers.gitops)})`);
  if (explicit.has("argocdProject") && answers.gitops !== "argocd")
    add(["argocdProject", "gitops"], `${n("argocdProject")} applies only with ${set("gitops", "argocd")} (got ${set("gitops", answers.gitops)})`);
  const sizes = sizeClasses(answers.environments);
  if (explicit.has("resources") && !sizes.other)
    add(["resources", "environments"], `${n("resources")} sizes the environments outside production, and every environment here is production (${set("environments", answers.environments)}): use ${n("productionResources")}`);
  if (explicit.has("productionResources") && !sizes.production)
    add(
      ["productionResources", "environments"],
      `${n("productionResources")} sizes production, and no environment here is production (${set("environments", answers.environments)}; ` +
        `production is one named prod or production, or the last of several): use ${n("resources")}`,
    );
  if (explicit.has("alertmanagerUrl") && (!answers.monitoring || answers.gitops === "none"))
    add(
      ["alertmanagerUrl", answers.monitoring ? "gitops" : "monitoring"],
      `${n("alertmanagerUrl")} applies only with ${set("monitoring", true)} and ${set("gitops", "argocd")} or flux (got ${answers.monitoring ? set("gitops", answers.gitops) : set("monitoring", false)}): only a GitOps controller sends deployment failures`,
    );
  if (answers.progressive === "argo-rollouts") {
    if (answers.gitops === "flux")
      add(
        ["progressive", "gitops"],
        `${set("progressive", "argo-rollouts")} works only with ${set("gitops", "argocd")} or none (got ${set("gitops", "flux")}): with Flux, progressive ` +
          `delivery is Flagger's job: use ${set("progressive", "flagger")}`,
      );
    if (!answers.monitoring)
      add(["progressive", "monitoring"], `${set("progressive", "argo-rollouts")} needs ${set("monitoring", true)}: the canary analysis reads metrics that only the ServiceMonitor makes Prometheus scrape`);
  } else if (answers.progressive === "flagger") {
    // Argo CD users have Argo Rollouts, proven in the GitOps loop with Argo CD; Flagger is proven with Flux only.
    if (answers.gitops !== "flux")
      add(
        ["progressive", "gitops"],
        `${set("progressive", "flagger")} works only with ${set("gitops", "flux")} (got ${set("gitops", answers.gitops)}): Flagger is Flux's progressive delivery ` +
          `controller; with Argo CD or without a GitOps controller use ${set("progressive", "argo-rollouts")}`,
      );
    if (!answers.monitoring)
      add(["progressive", "monitoring"], `${set("progressive", "flagger")} needs ${set("monitoring", true)}: Flagger's analysis reads metrics that only the PodMonitor makes Prometheus scrape`);
  } else {
    const canaryFlags = (["canaryMaxErrorPercent", "canaryMaxP95Ms", "prometheusUrl"] as const).filter((k) => explicit.has(k));
    for (const k of canaryFlags) add([k, "progressive"], `${n(k)} applies only with ${set("progressive", "argo-rollouts")} or flagger (got ${set("progressive", answers.progressive)})`);
  }
  if (!answers.monitoring) {
    // The SLO alerts read the metrics only the ServiceMonitor makes Prometheus scrape.
    const sloFlags = (["sloAvailability", "sloLatencyPercent", "sloLatencyMs"] as const).filter((k) => explicit.has(k));
    for (const k of sloFlags) add([k, "monitoring"], `${n(k)} applies only with ${set("monitoring", true)} (got ${set("monitoring", false)})`);
  }
  return problems;
}

// Rules that span several answers. They run once all answers are known, whatever their source.
import type { Answers } from "./types.js";
import { gitopsRepoUrl, goIdentifier } from "./names.js";
import { shown } from "../shared/show.js";
import { sizeClasses } from "./sizing.js";

const BUILTIN_GO_FIELDS = ["Port", "AdminPort", "LogLevel", "ShutdownDelay", "ShutdownTimeout"];

/** Every problem at once, each naming the flags involved. */
export function crossCheck(answers: Answers, explicit: ReadonlySet<keyof Answers>): string[] {
  const problems: string[] = [];
  const names = [...answers.env.map((spec) => spec.split("=")[0]), ...answers.secret];
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) problems.push(`--env/--secret: '${n}' is declared more than once`);
    seen.add(n);
  }
  const fields = new Map<string, string>(BUILTIN_GO_FIELDS.map((f) => [f, "a built-in setting"]));
  for (const n of new Set(names)) {
    const field = goIdentifier(n);
    const other = fields.get(field);
    if (other) problems.push(`--env/--secret: '${n}' and ${other === "a built-in setting" ? other : `'${other}'`} both become the Go field ${field}`);
    else fields.set(field, n);
  }
  for (const env of new Set(answers.environments)) {
    const namespace = `${answers.name}-${env}`;
    if (namespace.length > 63)
      problems.push(`--name/--environments: the namespace '${namespace}' is longer than 63 characters: shorten the name or the environment`);
  }
  if (new Set(answers.environments).size !== answers.environments.length)
    problems.push(`--environments: '${answers.environments.join(",")}' names an environment twice`);
  // GitHub has no subgroups: github.com/<group>/<sub>/<name> cannot exist, nor can its Actions run.
  if (answers.owner.includes("/") && answers.ci === "github")
    problems.push(`--owner/--ci: ${shown(answers.owner)} is a group path, which GitHub does not have (--ci github): use --ci gitlab or a GitHub organisation`);
  const github = /^(?:https:\/\/|ssh:\/\/[^@/]+@)github\.com(?::\d+)?\/(.+)$/.exec(gitopsRepoUrl(answers.repoUrl));
  if (github && github[1].replace(/\.git$/, "").split("/").filter(Boolean).length !== 2)
    problems.push(`--repo-url: ${shown(answers.repoUrl)} is not a GitHub repository address (github.com/<owner>/<repository>)${explicit.has("repoUrl") ? "" : ": pass --repo-url, or --ci gitlab for a GitLab group"}`);
  if (`${answers.registry}/${answers.name}`.length > 255) problems.push("--registry/--name: the image name is longer than 255 characters");
  if (explicit.has("argocdMode") && answers.gitops !== "argocd")
    problems.push(`--argocd-mode applies only with --gitops argocd (got --gitops ${answers.gitops})`);
  if (explicit.has("argocdProject") && answers.gitops !== "argocd")
    problems.push(`--argocd-project applies only with --gitops argocd (got --gitops ${answers.gitops})`);
  const sizes = sizeClasses(answers.environments);
  if (explicit.has("resources") && !sizes.other)
    problems.push(`--resources sizes the environments outside production, and every environment here is production (--environments ${answers.environments.join(",")}): use --production-resources`);
  if (explicit.has("productionResources") && !sizes.production)
    problems.push(
      `--production-resources sizes production, and no environment here is production (--environments ${answers.environments.join(",")}; ` +
        "production is one named prod or production, or the last of several): use --resources",
    );
  if (answers.progressive === "argo-rollouts") {
    if (answers.gitops === "flux")
      problems.push(
        "--progressive argo-rollouts works only with --gitops argocd or none (got --gitops flux): with Flux, progressive " +
          "delivery is Flagger's job; keep --progressive none and add Flagger (the generated README says how)",
      );
    if (!answers.monitoring)
      problems.push("--progressive argo-rollouts needs --monitoring: the canary analysis reads metrics that only the ServiceMonitor makes Prometheus scrape");
  } else {
    const canaryFlags = (["canaryMaxErrorPercent", "canaryMaxP95Ms", "prometheusUrl"] as const).filter((k) => explicit.has(k));
    const flag = { canaryMaxErrorPercent: "--canary-max-error-percent", canaryMaxP95Ms: "--canary-max-p95-ms", prometheusUrl: "--prometheus-url" };
    for (const k of canaryFlags) problems.push(`${flag[k]} applies only with --progressive argo-rollouts (got --progressive ${answers.progressive})`);
  }
  return problems.filter(Boolean);
}

// gitops:go-service:create — the CLI's pipeline (resolve answers, render, write) as a scaffolder
// action. No prompts, no git: later steps (publish:github, ...) publish the workspace.
import path from "node:path";
import { createTemplateAction } from "@backstage/plugin-scaffolder-node";
import { engine, type Answers, type Plan, type Preset } from "./engine.js";
import { inputSchema, outputSchema } from "./input.js";
import { examples } from "./examples.js";
import { resolveInWorkspace } from "./workspace.js";

export const ACTION_ID = "gitops:go-service:create";

export interface GitopsGoServiceActionOptions {
  /**
   * A preset file on the backend host that every run is held to (app-config
   * `gitopsGoService.preset`); a template's own `preset` input is then refused.
   */
  preset?: string;
}

/** Where the GitOps files of a plan are, relative to the repository root. */
export function gitopsPaths(answers: Answers, plan: Plan) {
  const has = (dir: string) => plan.some((f) => f.path.startsWith(`${dir}/`));
  return {
    engine: answers.gitops,
    base: "deploy/base",
    overlays: answers.environments.map((env) => `deploy/overlays/${env}`).filter(has),
    argocd: has("deploy/argocd") ? "deploy/argocd" : null,
    flux: has("deploy/flux") ? "deploy/flux" : null,
  };
}

export function createGitopsGoServiceAction(options: GitopsGoServiceActionOptions = {}) {
  let enforced: Promise<Preset> | undefined;
  return createTemplateAction({
    id: ACTION_ID,
    description:
      "Renders a production-grade Go service repository for GitOps delivery into the workspace, exactly as the create-gitops-go-service CLI does (same answers, defaults, preset policy, files and provenance record). No git: publish it with a later step.",
    examples,
    supportsDryRun: true,
    schema: { input: inputSchema, output: outputSchema },
    async handler(ctx) {
      const { outputPath = ".", preset: presetInput, ...given } = ctx.input as Record<string, unknown> & { outputPath?: string; preset?: string };
      try {
        const target = await resolveInWorkspace(ctx.workspacePath, outputPath, "outputPath");
        let preset: Preset | undefined;
        if (options.preset) {
          if (presetInput !== undefined)
            throw new engine.UserError(`preset: '${presetInput}' cannot be used: this Backstage enforces the preset ${options.preset} (app-config gitopsGoService.preset)`, engine.ExitCode.usage);
          preset = await (enforced ??= engine.readPreset(options.preset));
        } else if (presetInput !== undefined) {
          // Read from the workspace; messages name it as the template gave it.
          preset = { ...(await engine.readPreset(await resolveInWorkspace(ctx.workspacePath, presetInput, "preset"))), file: presetInput };
        }
        const { answers, context, plan } = await engine.renderService({ answers: given, preset });
        const where = path.relative(ctx.workspacePath, target) || ".";
        ctx.logger.info(`${answers.name}: ${plan.length} files for ${answers.gitops === "none" ? "no GitOps controller" : answers.gitops}, image ${context.image}${preset ? `, ${engine.describePreset(preset)}` : ""}`);
        if (ctx.isDryRun) {
          // Like --dry-run: the target is checked, nothing is written.
          await engine.checkTarget(target, plan, true);
          ctx.logger.info(`dry run: would write ${plan.length} files to ${where}`);
        } else {
          // The workspace is the task's own: the planned files are written over any earlier copy (a
          // retried step gives the same tree); nothing else there is touched.
          await engine.writePlan(plan, target, { force: true, signal: ctx.signal });
          ctx.logger.info(`wrote ${plan.length} files to ${where}`);
        }
        const { directory: _directory, ...recorded } = answers;
        ctx.output("files", plan.map((f) => f.path));
        ctx.output("outputPath", where);
        ctx.output("image", context.image);
        ctx.output("gitops", gitopsPaths(answers, plan));
        ctx.output("answers", recorded);
      } catch (error) {
        if (error instanceof engine.UserError && error.hint) ctx.logger.error(`hint: ${error.hint}`);
        throw error;
      }
    },
  });
}

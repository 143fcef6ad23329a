// gitops:go-service:create — the CLI's pipeline (resolve answers, render, write) as a scaffolder
// action. No prompts, no git: later steps (publish:github, ...) publish the workspace.
import path from "node:path";
import { InputError } from "@backstage/errors";
import { createTemplateAction } from "@backstage/plugin-scaffolder-node";
import { engine, type Answers, type Plan, type Preset, type UserError } from "./engine.js";
import { inputSchema, outputSchema } from "./input.js";
import { examples } from "./examples.js";
import { resolveInWorkspace } from "./workspace.js";

export const ACTION_ID = "gitops:go-service:create";

/** Messages name the step's inputs (`input.owner`), the names the template author writes. */
const NAMING = engine.inputNaming("input.");
const OUTPUT_PATH = "input.outputPath";

/**
 * A user's mistake as Backstage's InputError, which its HTTP layer answers with 400 (anything else is
 * a 500, an internal error). The hint goes with it: the form shows nothing else. No `cause`: Backstage
 * appends it to the message ("; caused by ..."), which would say everything twice.
 */
export function toInputError(error: UserError): InputError {
  return new InputError(error.hint ? `${error.message}\nhint: ${error.hint}` : error.message);
}

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

/**
 * The preset app-config enforces, read on every run: an edit to it applies from the next task on,
 * and a file missing once is not remembered as missing. Its faults are the backend's, not the
 * template user's, so they are not an InputError (400).
 */
async function readEnforced(file: string): Promise<Preset> {
  try {
    return await engine.readPreset(file, "app-config gitopsGoService.preset");
  } catch (error) {
    throw new Error(`the preset this Backstage enforces cannot be used, ask its administrators: ${(error as Error).message}`);
  }
}

export function createGitopsGoServiceAction(options: GitopsGoServiceActionOptions = {}) {
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
        const target = await resolveInWorkspace(ctx.workspacePath, outputPath, OUTPUT_PATH);
        let preset: Preset | undefined;
        if (options.preset) {
          if (presetInput !== undefined)
            throw new engine.UserError(`input.preset: '${presetInput}' cannot be used: this Backstage enforces the preset ${options.preset} (app-config gitopsGoService.preset)`, engine.ExitCode.usage, undefined, ["preset"]);
          preset = await readEnforced(options.preset);
        } else if (presetInput !== undefined) {
          // Read from the workspace; messages name it as the template gave it.
          preset = await engine.readPreset(await resolveInWorkspace(ctx.workspacePath, presetInput, "input.preset"), "input.preset", presetInput);
        }
        const { answers, context, plan } = await engine.renderService({ answers: given, preset, naming: NAMING });
        const where = path.relative(ctx.workspacePath, target) || ".";
        ctx.logger.info(`${answers.name}: ${plan.length} files for ${answers.gitops === "none" ? "no GitOps controller" : answers.gitops}, image ${context.image}${preset ? `, ${engine.describePreset(preset)}` : ""}`);
        // A dry run writes too: Backstage's dry-run workspace is a throwaway folder whose contents are
        // the template editor's preview, and fetch:template writes there as well. The action has no
        // side effect outside the workspace (no git, no network) that a dry run would have to skip.
        // The workspace is the task's own: the planned files are written over any earlier copy (a
        // retried step gives the same tree); nothing else there is touched.
        await engine.writePlan(plan, target, { force: true, signal: ctx.signal, label: OUTPUT_PATH });
        ctx.logger.info(`${ctx.isDryRun ? "dry run: " : ""}wrote ${plan.length} files to ${where}`);
        const { directory: _directory, ...recorded } = answers;
        ctx.output("files", plan.map((f) => f.path));
        ctx.output("outputPath", where);
        ctx.output("image", context.image);
        ctx.output("gitops", gitopsPaths(answers, plan));
        ctx.output("answers", recorded);
      } catch (error) {
        if (error instanceof engine.UserError) throw toInputError(error);
        throw error;
      }
    },
  });
}

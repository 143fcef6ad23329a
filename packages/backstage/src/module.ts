// `backend.add(import('@create-gitops-go-service/backstage'))` registers the action with the scaffolder.
import { coreServices, createBackendModule } from "@backstage/backend-plugin-api";
import { scaffolderActionsExtensionPoint } from "@backstage/plugin-scaffolder-node";
import { createGitopsGoServiceAction } from "./action.js";

export const gitopsGoServiceModule = createBackendModule({
  pluginId: "scaffolder",
  moduleId: "gitops-go-service",
  register(reg) {
    reg.registerInit({
      deps: { scaffolder: scaffolderActionsExtensionPoint, config: coreServices.rootConfig, logger: coreServices.logger },
      async init({ scaffolder, config, logger }) {
        const preset = config.getOptionalString("gitopsGoService.preset");
        if (preset) logger.info(`gitops:go-service:create holds every run to the preset ${preset}`);
        scaffolder.addActions(createGitopsGoServiceAction({ preset }));
      },
    });
  },
});

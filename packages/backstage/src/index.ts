export { gitopsGoServiceModule as default } from "./module.js";
export { ACTION_ID, createGitopsGoServiceAction, gitopsPaths, type GitopsGoServiceActionOptions } from "./action.js";

export { createService, type CreateOptions, type Result } from "./create-service.js";
export { resolveAnswers } from "./answers.js";
export { buildContext, type Context } from "./context.js";
export { planFiles, type Plan, type PlannedFile } from "./plan.js";
export { writePlan } from "./write.js";
export { questions } from "./questions.js";
export { UserError, CancelledError, ExitCode } from "./errors.js";
export type { Answers } from "./answers-types.js";
export type { Io } from "./io.js";

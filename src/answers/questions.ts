// The one table of questions. It drives the prompts, the CLI flags, --help, the answers-file checks
// and (later) the published JSON Schema and the Backstage action's input. Order = prompt order;
// a question's default may read the answers to the questions above it.
//
// The table is split by group (questions/*.ts); this file joins them in prompt order.
import type { Answers } from "./types.js";
import type { Question, Value } from "./questions/question.js";
import { serviceQuestions } from "./questions/service.js";
import { deliveryQuestions } from "./questions/delivery.js";
import { environmentQuestions } from "./questions/environments.js";
import { platformQuestions } from "./questions/platform.js";

export type { Kind, Question } from "./questions/question.js";

export const questions = [...serviceQuestions, ...deliveryQuestions, ...environmentQuestions, ...platformQuestions];

/** The groups in prompt order, each with the heading the guided prompts show above it. */
export const questionGroups: readonly { heading: string; names: readonly (keyof Answers)[] }[] = [
  { heading: "Service", names: serviceQuestions.map((q) => q.name) },
  { heading: "Delivery", names: deliveryQuestions.map((q) => q.name) },
  { heading: "Environments", names: environmentQuestions.map((q) => q.name) },
  { heading: "Platform", names: platformQuestions.map((q) => q.name) },
];

export type AnyQuestion = Question<keyof Answers>;

/** The question table typed loosely, for code that walks it generically. */
export const questionList: readonly AnyQuestion[] = questions as unknown as AnyQuestion[];

export function questionFor(name: string): AnyQuestion | undefined {
  return questionList.find((qq) => qq.name === name);
}

export type { Value };

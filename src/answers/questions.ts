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

export type AnyQuestion = Question<keyof Answers>;

/** The question table typed loosely, for code that walks it generically. */
export const questionList: readonly AnyQuestion[] = questions as unknown as AnyQuestion[];

export function questionFor(name: string): AnyQuestion | undefined {
  return questionList.find((qq) => qq.name === name);
}

export type { Value };

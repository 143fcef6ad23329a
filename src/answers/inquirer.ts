// The three prompts we show, loaded together by src/prompts.ts: one lazy chunk in the bundle.
export { default as input } from "@inquirer/input";
export { default as select } from "@inquirer/select";
export { default as confirm } from "@inquirer/confirm";

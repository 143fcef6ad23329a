// The plop peer: plop's own CLI rendering our templates (the same files) from a prepared plan.
import { readFileSync } from "node:fs";

export default function (plop) {
  const { context, files } = JSON.parse(readFileSync(process.env.BENCH_PLOP_PLAN, "utf8"));
  plop.setHelper("yaml", (v) => JSON.stringify(String(v)));
  plop.setHelper("json", (v) => JSON.stringify(v));
  plop.setHelper("goString", (v) => JSON.stringify(String(v)));
  plop.setHelper("mdCode", (v) => "`" + String(v) + "`");
  plop.setGenerator("service", {
    description: "the same repository",
    prompts: [],
    actions: files.map((f) => ({ type: "add", path: `{{dest}}/${f.path}`, templateFile: f.templateFile, data: { ...context, ...f.data, dest: process.env.BENCH_PLOP_DEST }, abortOnFail: true, skipIfExists: false, force: true })),
  });
}

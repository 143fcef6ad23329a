// --verify's process runner: exit codes, output in arrival order, a missing tool, never a rejection.
import { describe, expect, test } from "vitest";
import { runTool } from "../src/output/verify.js";

describe("runTool", () => {
  test.each([
    ["exit 0 with output on both streams", "echo out; echo err >&2; echo out2", 0, "out\nerr\nout2\n"],
    ["a non-zero exit code", "echo broken >&2; exit 3", 3, "broken\n"],
    ["no output", "true", 0, ""],
  ])("%s", async (_, script, code, output) => {
    // Each write is flushed before the next starts (sleep), so arrival order is the written order.
    const interleaved = script.replaceAll("; ", "; sleep 0.05; ");
    expect(await runTool("sh", ["-c", interleaved], process.cwd())).toEqual({ code, output });
  });

  test("a tool that is not on PATH is missing, not a rejection", async () => {
    expect(await runTool("no-such-tool-cggs", ["--version"], process.cwd())).toEqual({ code: "missing", output: "" });
  });

  test("a tool killed by a signal fails and says so", async () => {
    const result = await runTool("sh", ["-c", "echo started; kill -TERM $$"], process.cwd());
    expect(result.code).toBe(1);
    expect(result.output).toBe("started\nsh was killed by SIGTERM\n");
  });
});

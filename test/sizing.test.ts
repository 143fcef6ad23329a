// Pod sizing answers: the parser every source (flag, answers file, prompt, preset) goes through.
import { describe, expect, test } from "vitest";
import { isProduction, parseSizing, productionSizing, sizing } from "../src/answers/sizing.js";

describe("parseSizing", () => {
  test.each([
    ["cpu=50m,memory=128Mi,replicas=1-3", { cpu: "50m", memory: "128Mi", goMemLimit: "115MiB", minReplicas: 1, maxReplicas: 3 }],
    ["replicas=3-10,memory=512Mi,cpu=250m", { cpu: "250m", memory: "512Mi", goMemLimit: "460MiB", minReplicas: 3, maxReplicas: 10 }],
    ["cpu=1.5, memory=2Gi, replicas=2-100", { cpu: "1500m", memory: "2Gi", goMemLimit: "1843MiB", minReplicas: 2, maxReplicas: 100 }],
    // The form the API server stores, so Git and the live object agree.
    ["cpu=2000m,memory=2048Mi,replicas=2-4", { cpu: "2", memory: "2Gi", goMemLimit: "1843MiB", minReplicas: 2, maxReplicas: 4 }],
    ["cpu=0.25,memory=1536Mi,replicas=2-4", { cpu: "250m", memory: "1536Mi", goMemLimit: "1382MiB", minReplicas: 2, maxReplicas: 4 }],
    ["cpu=10m,memory=32Mi,replicas=1-1", { cpu: "10m", memory: "32Mi", goMemLimit: "28MiB", minReplicas: 1, maxReplicas: 1 }],
    ["cpu=64,memory=64Gi,replicas=5-5", { cpu: "64", memory: "64Gi", goMemLimit: "58982MiB", minReplicas: 5, maxReplicas: 5 }],
  ])("%s", (value, expected) => {
    expect(parseSizing(value)).toEqual({ sizing: expected });
  });

  test.each([
    ["cpu=50m,memory=128Mi", "does not set replicas: write cpu=<cores or millicores>,memory=<Mi or Gi>,replicas=<min>-<max>"],
    ["", "has an unknown part '': write cpu="],
    ["gpu=1,cpu=50m,memory=128Mi,replicas=1-3", "has an unknown part 'gpu=1'"],
    ["cpu,memory=128Mi,replicas=1-3", "has no value for 'cpu'"],
    ["cpu=50m,cpu=60m,memory=128Mi,replicas=1-3", "sets 'cpu' twice"],
    ["cpu=65,memory=128Mi,replicas=1-3", "has cpu '65': use 10m to 64 cores"],
    ["cpu=5m,memory=128Mi,replicas=1-3", "has cpu '5m': use 10m to 64 cores"],
    ["cpu=-1,memory=128Mi,replicas=1-3", "has cpu '-1', which is not a CPU quantity such as 250m or 1.5"],
    ["cpu=50m,memory=128M,replicas=1-3", "has memory '128M', which is not a whole number of Mi or Gi such as 512Mi or 2Gi"],
    ["cpu=50m,memory=16Mi,replicas=1-3", "has memory '16Mi': use 32Mi to 64Gi"],
    ["cpu=50m,memory=65Gi,replicas=1-3", "has memory '65Gi': use 32Mi to 64Gi"],
    ["cpu=50m,memory=128Mi,replicas=3", "has replicas '3', which is not <min>-<max> such as 2-10"],
    ["cpu=50m,memory=128Mi,replicas=0-3", "has replicas '0-3', which is not <min>-<max>"],
    ["cpu=50m,memory=128Mi,replicas=4-3", "has replicas '4-3': the minimum is above the maximum"],
    ["cpu=50m,memory=128Mi,replicas=1-101", "has replicas '1-101': at most 100"],
  ])("refuses %j", (value, message) => {
    const { sizing: parsed, problem } = parseSizing(value);
    expect(parsed).toBeUndefined();
    expect(problem).toContain(message);
    expect(sizing(value)).toBe(problem);
  });

  test("production needs two replicas; elsewhere one is enough", () => {
    expect(sizing("cpu=50m,memory=128Mi,replicas=1-3")).toBeUndefined();
    expect(productionSizing("cpu=50m,memory=128Mi,replicas=1-3")).toBe(
      "has replicas '1-3': production needs at least 2 replicas, so a node drain never takes it down",
    );
    expect(productionSizing("cpu=50m,memory=128Mi,replicas=2-3")).toBeUndefined();
  });
});

test.each([
  [["dev", "staging", "prod"], [false, false, true]],
  [["dev", "live"], [false, true]],
  [["dev"], [false]],
  [["prod"], [true]],
  [["production", "sandbox"], [true, true]],
])("isProduction %j", (names, expected) => {
  expect(names.map((_, i) => isProduction(names, i))).toEqual(expected);
});

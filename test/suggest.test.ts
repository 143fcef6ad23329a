// "Did you mean" (issue #30): edit distance, a swap of neighbours counting as one edit.
import { describe, expect, test } from "vitest";
import { closest, editDistance } from "../src/shared/suggest.js";

describe("editDistance", () => {
  test.each([
    ["owner", "owner", 0],
    ["onwer", "owner", 1],
    ["nme", "name", 1],
    ["enviroments", "environments", 1],
    ["", "abc", 3],
    ["kitten", "sitting", 3],
  ])("%s -> %s: %i", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe("closest", () => {
  const known = ["name", "owner", "ci", "repoUrl", "environments", "port"];
  test.each([
    ["onwer", "owner"],
    ["repourl", "repoUrl"],
    ["repo_url", "repoUrl"],
    ["enviroments", "environments"],
    ["cd", undefined], // 1 edit, but half the word
    ["colour", undefined],
    ["prot", "port"],
  ])("%s: %s", (word, near) => {
    expect(closest(word, known)).toBe(near);
  });
});

import type { YamlNode } from "./yaml-tree.js";

/**
 * Read YAML (or JSON) into a tree that knows the line of every key and value. The reader is loaded
 * on first use (only answers files, presets and overrides need it); text that is not YAML becomes
 * the caller's own error, so each names its file and flag its way.
 */
export async function readYaml(text: string, notYaml: (line: number, reason: string) => Error): Promise<YamlNode | undefined> {
  const { parseYamlTree, YamlSyntaxError } = await import("./yaml-tree.js");
  try {
    return parseYamlTree(text);
  } catch (error) {
    if (error instanceof YamlSyntaxError) throw notYaml(error.line, error.reason);
    throw error;
  }
}

// The real prompts (@inquirer/prompts) driven through a pseudo-terminal, every question answered.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import { CLI, gitEnv, tempDir } from "./helpers/cli.js";
import { questionList } from "../src/answers/questions.js";
import { PROVENANCE_FILE } from "../src/render/provenance.js";

const DRIVER = path.resolve(import.meta.dirname, "helpers/pty-drive.py");
const ENTER = "\r";
const DOWN = "\x1b[B";
const CTRL_C = "\x03";

// [prompt text to wait for, keys to type]; the order is the question table's order.
const script: [string, string][] = [
  ["Service name", ENTER], // keep the directory's name
  ["Git organisation", `acme${ENTER}`],
  ["Use the recommended setup", `n${ENTER}`],
  ["One-line description", `Takes orders${ENTER}`],
  ["CI system", `${DOWN}${ENTER}`], // gitlab
  ["Go module path", ENTER], // derived default: gitlab.com/acme/orders
  ["HTTP port", `9000${ENTER}`],
  ["Configuration variables", `UPSTREAM_URL, GREETING=hi${ENTER}`],
  ["Secret variables", `API_TOKEN${ENTER}`],
  ["How secrets reach the cluster", ENTER],
  ["Image registry", ENTER],
  ["Git URL", ENTER],
  ["GitOps controller", `${DOWN}${ENTER}`], // flux: so no Argo CD mode question
  ["When CI proposes the template", `0 6 * * 1${ENTER}`], // GitLab: the README names it for the pipeline schedule
  ["Environments", `dev,prod${ENTER}`],
  ["Pod size outside production", ENTER],
  ["Pod size in production", `cpu=500m,memory=1Gi,replicas=2-6${ENTER}`],
  ["ServiceMonitor", `n${ENTER}`],
  ["NetworkPolicy", ENTER],
  ["Admission policy", `${DOWN}${ENTER}`], // sigstore
  ["catalog-info", ENTER],
  ["Write the service with these answers", ENTER],
];
// The steps that are not questions of the table: the recommended-setup offer and the final confirm.
const NOT_QUESTIONS = 2;

const env = { ...gitEnv, PATH: process.env.PATH!, HOME: process.env.HOME ?? "/root", TERM: "xterm" };

test("every question can be answered at a real terminal, and the answers land in the files", async () => {
  // The script covers every question the table would ask for these answers: flux skips argocdMode and argocdProject;
  // no monitoring skips the Alertmanager address, progressive (and with it the canary thresholds) and the SLOs.
  const skipped = ["argocdMode", "argocdProject", "alertmanagerUrl", "progressive", "canaryMaxErrorPercent", "canaryMaxP95Ms", "prometheusUrl", "sloAvailability", "sloLatencyPercent", "sloLatencyMs"];
  expect(script.length - NOT_QUESTIONS).toBe(questionList.filter((q) => !skipped.includes(q.name)).length);
  const cwd = await tempDir();
  const run = await execa("python3", [DRIVER, JSON.stringify(script), "--", "node", CLI, "orders"], { cwd, env, extendEnv: false, reject: false });
  expect(run.exitCode, run.stdout).toBe(0);
  const dir = path.join(cwd, "orders");
  expect(await readFile(path.join(dir, "go.mod"), "utf8")).toMatch(/^module gitlab\.com\/acme\/orders$/m);
  const result = run.stdout;
  expect(result).toContain("Wrote");
  expect(result).toContain(".gitlab-ci.yml");
  expect(result).toContain("deploy/flux".split("/")[1]);
  const prod = await readFile(path.join(dir, "deploy/overlays/prod/patch-resources.yaml"), "utf8");
  expect(prod).toMatch(/cpu: "500m"\n\s+memory: "1Gi"\n\s+limits:\n\s+memory: "1Gi"/);
  expect(prod).toMatch(/minReplicas: 2\n\s+maxReplicas: 6/);
  expect(await readFile(path.join(dir, "README.md"), "utf8")).toContain("interval pattern **`0 6 * * 1`**");
  expect(await readFile(path.join(dir, "deploy/platform/prod.yaml"), "utf8")).toMatch(/^kind: ClusterImagePolicy$/m);
});

test.each([
  ["the first prompt", [["Service name", CTRL_C]]],
  ["the recommended-setup offer", [["Service name", ENTER], ["Git organisation", `acme${ENTER}`], ["Use the recommended setup", CTRL_C]]],
  ["the final confirm", [["Service name", ENTER], ["Git organisation", `acme${ENTER}`], ["Use the recommended setup", `n${ENTER}`], ...customDefaults(), ["Write the service", CTRL_C]]],
])("Ctrl-C at %s exits 130 and writes nothing", async (_, steps) => {
  const cwd = await tempDir();
  const run = await execa("python3", [DRIVER, JSON.stringify(steps), "--", "node", CLI, "orders"], { cwd, env, extendEnv: false, reject: false });
  expect(run.exitCode, run.stdout).toBe(130);
  expect(run.stdout).toContain("cancelled");
  expect(await execa("ls", ["-A", cwd]).then((r) => r.stdout)).toBe("");
});

// The guided path (issue #19): name, owner, then the recommended setup in one question.

/** Every file under dir but .git, path -> content. */
async function tree(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const file = path.relative(dir, path.join(entry.parentPath, entry.name));
    if (entry.isFile() && !file.split(path.sep).includes(".git")) files.set(file, await readFile(path.join(dir, file), "utf8"));
  }
  return files;
}

/** A question's message, as the driver's regex: its start only (a pseudo-terminal wraps at 80 columns). */
function prompt(message: string): string {
  return message.slice(0, 30).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The custom questions for orders/acme at their defaults, in order (secrets and the canary thresholds
 * do not apply to the defaults), with overrides by question name.
 */
function customDefaults(keys: Record<string, string> = {}, patterns: Record<string, string> = {}): [string, string][] {
  const notAsked = ["name", "owner", "secrets", "canaryMaxErrorPercent", "canaryMaxP95Ms", "prometheusUrl"];
  return questionList.filter((q) => !notAsked.includes(q.name)).map((q) => [patterns[q.name] ?? prompt(q.message), keys[q.name] ?? ENTER]);
}

/** Name (the directory's), owner acme, and "no" to the recommended setup. */
const TO_CUSTOM: [string, string][] = [["Service name", ENTER], ["Git organisation", `acme${ENTER}`], ["Use the recommended setup", `n${ENTER}`]];

const drive = async (steps: [string, string][]) => {
  const cwd = await tempDir();
  const run = await execa("python3", [DRIVER, JSON.stringify(steps), "--", "node", CLI, "orders"], { cwd, env, extendEnv: false, reject: false });
  return { cwd, run, screen: run.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "") };
};

test("the default run answers three prompts and writes the same tree as --yes --owner", async () => {
  const { cwd, run, screen } = await drive([["Service name", ENTER], ["Git organisation", `acme${ENTER}`], ["Use the recommended setup", ENTER]]);
  expect(run.exitCode, run.stdout).toBe(0);
  // What "recommended" means is read from the table's defaults.
  const summary = /Recommended setup:\r?\n([\s\S]*?)\r?\n[^\n]*Use the recommended setup/.exec(screen)?.[1] ?? "";
  // At most three lines of 96 characters (two until --admission joined the summarised questions).
  expect(summary.split("\n").length).toBeLessThanOrEqual(3);
  for (const item of ["ci=github", "gitops=argocd", "argocd-mode=applications", "environments=dev,staging,prod", "monitoring=on", "network-policy=on", "catalog=on"])
    expect(summary).toContain(item);
  for (const q of questionList.filter((q) => q.name !== "name" && q.name !== "owner")) expect(screen).not.toContain(q.message);
  const yes = await tempDir();
  const flags = await execa("node", [CLI, "orders", "--yes", "--owner", "acme"], { cwd: yes, env: { ...env, CI: "true" }, extendEnv: false, reject: false });
  expect(flags.exitCode, flags.stderr).toBe(0);
  const [guided, flagged] = [await tree(path.join(cwd, "orders")), await tree(path.join(yes, "orders"))];
  expect(guided.size).toBeGreaterThan(30);
  expect([...guided.keys()].sort()).toEqual([...flagged.keys()].sort());
  for (const [file, content] of guided) expect(content, file).toBe(flagged.get(file));
});

test("the custom path asks by group, shows only what differs, and writes it", async () => {
  const { cwd, run, screen } = await drive([
    ...TO_CUSTOM,
    ...customDefaults({ port: `9000${ENTER}` }),
    ["Write the service with these answers", ENTER],
  ]);
  expect(run.exitCode, run.stdout).toBe(0);
  for (const heading of ["Service", "Delivery", "Environments", "Platform"]) expect(screen).toMatch(new RegExp(`\\n${heading}\\r?\\n`));
  expect(screen).toMatch(/Different from the defaults:\r?\n\s+port=9000 \(default: 8080\)\r?\n(?!\s+\w+=)/);
  const record = JSON.parse(await readFile(path.join(cwd, "orders", PROVENANCE_FILE), "utf8"));
  expect(record.answers.port).toBe(9000);
});

// Issue #30: "no: change them" replayed all 19 prompts and could not change the name or the owner.
// Now the user picks one group and only its questions are asked again, the last answers offered.
const SERVICE_AGAIN = ["description", "ci", "module", "port", "env", "secret"];
const again = (names: string[], keys: Record<string, string> = {}, patterns: Record<string, string> = {}): [string, string][] =>
  questionList.filter((q) => names.includes(q.name)).map((q) => [patterns[q.name] ?? prompt(q.message), keys[q.name] ?? ENTER]);
const CHOICE = "Write the service with these answers, or change a group";
/** How often a question was answered: the prompt redraws as keys are typed, the ✔ line is once per answer. */
const answered = (screen: string, message: string) => screen.split(`✔ ${message.slice(0, 30)}`).length - 1;

test("changing one group asks only its questions again, with the last answers as defaults", async () => {
  const { cwd, run, screen } = await drive([
    ...TO_CUSTOM,
    ...customDefaults({ port: `9000${ENTER}` }),
    [CHOICE, `${DOWN}${DOWN}${ENTER}`], // Write, name and owner, Service
    ...again(SERVICE_AGAIN, { port: `9100${ENTER}` }, { port: "HTTP port[^\\n]*\\(9000\\)" }),
    [CHOICE, ENTER],
  ]);
  expect(run.exitCode, run.stdout).toBe(0);
  expect(screen).toMatch(/Change: name and owner[\s\S]*Change: Service[\s\S]*Change: Delivery[\s\S]*Change: Environments[\s\S]*Change: Platform/);
  expect(screen).toMatch(/port=9100 \(default: 8080\)/);
  // The other groups were asked once.
  for (const q of questionList.filter((q) => !SERVICE_AGAIN.includes(q.name) && ["gitops", "environments", "monitoring"].includes(q.name))) expect(answered(screen, q.message), q.name).toBe(1);
  const record = JSON.parse(await readFile(path.join(cwd, "orders", PROVENANCE_FILE), "utf8"));
  expect(record.answers.port).toBe(9100);
});

test("the name and the owner can be changed too, and what derives from them follows", async () => {
  const { cwd, run, screen } = await drive([
    ...TO_CUSTOM,
    ...customDefaults({ port: `9000${ENTER}` }),
    [CHOICE, `${DOWN}${ENTER}`],
    ["Service name[^\\n]*\\(orders\\)", ENTER],
    ["Git organisation[^\\n]*\\(acme\\)", `globex${ENTER}`],
    [CHOICE, ENTER],
  ]);
  expect(run.exitCode, run.stdout).toBe(0);
  expect(answered(screen, "HTTP port")).toBe(1);
  expect(answered(screen, "Git organisation")).toBe(2);
  const record = JSON.parse(await readFile(path.join(cwd, "orders", PROVENANCE_FILE), "utf8"));
  expect(record.answers).toMatchObject({ owner: "globex", module: "github.com/globex/orders", repoUrl: "https://github.com/globex/orders.git", port: 9000 });
});

// Issue #30: Enter at the owner prompt used to write `example-org` into 61 files and say nothing.
test("the owner prompt offers no placeholder: Enter is refused, and a typed placeholder gets --yes's note", async () => {
  const { run, screen } = await drive([
    ["Service name", ENTER],
    ["Git organisation[^\\n]*\\n?", ENTER],
    ["required: type one, e.g. acme", `example-org${ENTER}`],
    ["Use the recommended setup", ENTER],
  ]);
  expect(run.exitCode, run.stdout).toBe(0);
  expect(screen).not.toMatch(/Git organisation[^\n]*\(example-org\)/);
  expect(screen).toMatch(/note: placeholders used for 'owner' \(owner=example-org\); rerun with the real values before pushing/);
});

// Issue #30: a non-empty target was found only after every question. Now before the first one, with
// a choice that can lose nothing: cancel (the default), or write beside the files that are there.
describe("a non-empty target, before the first question", () => {
  const driveIn = async (files: Record<string, string>, steps: [string, string][]) => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, "orders"));
    for (const [file, content] of Object.entries(files)) await writeFile(path.join(cwd, "orders", file), content);
    const run = await execa("python3", [DRIVER, JSON.stringify(steps), "--", "node", CLI, "orders"], { cwd, env, extendEnv: false, reject: false });
    return { dir: path.join(cwd, "orders"), run, screen: run.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "") };
  };

  test("Enter cancels: exit 3, no question asked, the folder as it was", async () => {
    const { dir, run, screen } = await driveIn({ "notes.md": "mine\n" }, [["is not empty: notes\\.md[\\s\\S]*Write the service beside them", ENTER]]);
    expect(run.exitCode, run.stdout).toBe(3);
    expect(screen).not.toContain("Service name");
    expect(screen).toMatch(/error: target \S*orders is not empty: cancelled, nothing was written/);
    expect(await readdir(dir)).toEqual(["notes.md"]);
  });

  test("yes writes the service beside the files, each left as it was", async () => {
    const { dir, run } = await driveIn({ "notes.md": "mine\n" }, [["Write the service beside them", `y${ENTER}`], ...TO_CUSTOM.slice(0, 2), ["Use the recommended setup", ENTER]]);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(await readFile(path.join(dir, "notes.md"), "utf8")).toBe("mine\n");
    expect(await readFile(path.join(dir, "go.mod"), "utf8")).toMatch(/^module github\.com\/acme\/orders$/m);
  });

  test("yes never replaces a file: one the service would write ends the run before anything is written", async () => {
    const { dir, run, screen } = await driveIn({ "README.md": "mine\n" }, [["Write the service beside them", `y${ENTER}`], ...TO_CUSTOM.slice(0, 2), ["Use the recommended setup", ENTER]]);
    expect(run.exitCode, run.stdout).toBe(3);
    expect(screen).toMatch(/already has a file the service writes: README\.md; nothing was written/);
    expect(await readdir(dir)).toEqual(["README.md"]);
    expect(await readFile(path.join(dir, "README.md"), "utf8")).toBe("mine\n");
  });
});

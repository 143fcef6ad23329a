// The template-update schedule: a cron line both GitHub Actions (`on.schedule`) and GitLab pipeline
// schedules accept, or `off`. Numbers only: month and weekday names are read differently by the two.

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  // 7 is Sunday for GitLab only: GitHub rejects it.
  { name: "day of week", min: 0, max: 6 },
] as const;

const ITEM = /^(\*|(\d{1,2})(?:-(\d{1,2}))?)(?:\/(\d{1,2}))?$/;

function field(text: string, { name, min, max }: (typeof FIELDS)[number]): string | undefined {
  for (const item of text.split(",")) {
    const m = ITEM.exec(item);
    if (!m) return `${name} '${item}' is not *, N, N-M, a list of them, or one with /STEP (numbers only)`;
    const [from, to, step] = [m[2], m[3], m[4]].map((v) => (v === undefined ? undefined : Number(v)));
    for (const n of [from, to]) if (n !== undefined && (n < min || n > max)) return `${name} ${n} is outside ${min}-${max}`;
    if (from !== undefined && to !== undefined && from > to) return `${name} range ${from}-${to} runs backwards`;
    if (step === 0) return `${name} step /0 never advances`;
  }
  return undefined;
}

/** undefined when `value` is `off` or a valid 5-field schedule, else the rule it breaks. */
export function cron(value: string): string | undefined {
  if (value === "off") return undefined;
  const parts = value.trim().split(/\s+/);
  if (parts.length !== 5)
    return `is not a cron schedule: write 5 fields (minute hour day-of-month month day-of-week, UTC), e.g. '0 6 * * 1', or off (it has ${parts.length})`;
  for (const [i, part] of parts.entries()) {
    const problem = field(part, FIELDS[i]);
    if (problem) return `is not a valid cron schedule: ${problem}`;
  }
  return undefined;
}

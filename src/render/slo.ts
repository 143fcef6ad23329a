// The SLO numbers the alert rules, their unit tests and the runbook are written with: exact decimal
// strings from integer arithmetic, so 99.9 gives an error budget of 0.001 and never 0.0010000000000000009.

/** Hundred-thousandths: the objective has at most 3 decimals of a percent, so every budget is a whole number of them. */
const SCALE = 100_000;

/** "99.9" → 99900 (validated answers only: 2 digits, up to 3 decimals). */
function toUnits(percent: string): number {
  const [whole, fraction = ""] = percent.split(".");
  return Number(whole) * 1000 + Number(fraction.padEnd(3, "0"));
}

/** 100 → "0.001"; 10000 → "0.1": a whole number of hundred-thousandths as a plain decimal. */
export function decimal(units: number, scale = SCALE): string {
  const digits = String(scale).length - 1;
  const whole = Math.floor(units / scale);
  const fraction = String(units % scale).padStart(digits, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/** A histogram bound as client_golang writes it (strconv 'g'): 500 ms → "0.5", 1000 ms → "1". */
function seconds(ms: number): string {
  return decimal(ms, 1000);
}

/**
 * The `le` matcher for a bound. Prometheus 3 rewrites the `le` of classic histograms into its own float
 * spelling at scrape time ("1" becomes "1.0"); Prometheus 2 keeps the exporter's text. A whole number of
 * seconds matches both; a fraction ("0.5") is spelled the same by both.
 */
function leMatcher(ms: number): string {
  const text = seconds(ms);
  return text.includes(".") ? `le="${text}"` : `le=~"${text}(\\\\.0)?"`;
}

export interface SloTestSeries {
  /** Bad (5xx or slow) requests per minute out of 100000, as promtool's series notation wants it. */
  healthy: string;
  ticket: string;
  page: string;
  /** The same shares in parts per million (what the unit tests read back from the recording rules). */
  healthyPpm: string;
  ticketPpm: string;
  pagePpm: string;
}

export interface Objective {
  /** The objective in percent, as answered ("99.9"). */
  percent: string;
  /** The error budget as a ratio ("0.001"). */
  budget: string;
  /** Synthetic traffic for the generated promtool tests. */
  tests: SloTestSeries & { goodHealthy: string; goodTicket: string; goodPage: string };
}

/** Requests per minute in the generated unit tests: a round number, so each share is an exact count. */
export const TEST_REQUESTS_PER_MINUTE = SCALE;

function objective(percent: string): Objective {
  const budget = SCALE - toUnits(percent);
  // Healthy: half the budget. Ticket: 5x (above the slow alerts' 3x, below the fast ones' 6x). Page:
  // 20x (above 14.4x), capped at every request: with an objective under ~93% the 1h/5m pair cannot fire
  // at all (14.4 x the budget is over 100%), and the 6h/30m pair pages on its own.
  const bad = { healthy: budget / 2, ticket: budget * 5, page: Math.min(SCALE, budget * 20) };
  const count = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
  return {
    percent,
    budget: decimal(budget),
    tests: {
      healthy: count(bad.healthy),
      ticket: count(bad.ticket),
      page: count(bad.page),
      goodHealthy: count(SCALE - bad.healthy),
      goodTicket: count(SCALE - bad.ticket),
      goodPage: count(SCALE - bad.page),
      // ppm = bad / 100000 * 1e6 = bad * 10
      healthyPpm: String(bad.healthy * 10),
      ticketPpm: String(bad.ticket * 10),
      pagePpm: String(bad.page * 10),
    },
  };
}

export interface Slo {
  availability: Objective;
  latency: Objective & {
    ms: number;
    /** The bound in seconds as the service exports it ("0.5", "1"). */
    seconds: string;
    /** The rules' matcher for the bound: `le="0.5"`, or `le=~"1(\\.0)?"` for whole seconds. */
    leMatcher: string;
    /** The bucket's label as the service and Prometheus 2 write it (`le="1"`), for the unit tests' series. */
    le: string;
    /** The same as Prometheus 3 stores it (`le="1.0"` for whole seconds). */
    leV3: string;
  };
}

/**
 * The SLO context from validated answers.
 * @example buildSlo("99.9", "99", 500).availability.budget // "0.001"
 */
export function buildSlo(availability: string, latencyPercent: string, latencyMs: number): Slo {
  const s = seconds(latencyMs);
  return {
    availability: objective(availability),
    latency: { ...objective(latencyPercent), ms: latencyMs, seconds: s, leMatcher: leMatcher(latencyMs), le: `le="${s}"`, leV3: `le="${s.includes(".") ? s : `${s}.0`}"` },
  };
}

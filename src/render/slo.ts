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

/** Synthetic traffic for the generated promtool tests: bad (5xx or slow) and good requests a minute, out of 100000. */
export interface SloTestSeries {
  /** Half the budget: nothing fires. */
  healthy: string;
  /** 2x: only the ticket's 3d/6h pair (1x) fires. */
  ticketLong: string;
  /** 5x: both ticket pairs, no page. */
  ticket: string;
  /** 10x: only the page's 6h/30m pair (6x) fires. */
  pageLong: string;
  /** 20x (at most every request): the page's 1h/5m pair (14.4x). */
  page: string;
  goodHealthy: string;
  goodTicketLong: string;
  goodTicket: string;
  goodPageLong: string;
  goodPage: string;
  /** The healthy and page shares in parts per million (what the tests read back from the recording rules). */
  healthyPpm: string;
  pagePpm: string;
}

export interface Objective {
  /** The objective in percent, as answered ("99.9"). */
  percent: string;
  /** The error budget as a ratio ("0.001"). */
  budget: string;
  tests: SloTestSeries;
}

function objective(percent: string): Objective {
  const budget = SCALE - toUnits(percent);
  // Each burn sits between two of the alerts' factors, so each pair of windows is proven on its own.
  // Capped at every request: with an objective under ~93% the 1h/5m pair cannot fire at all (14.4 x
  // the budget is over 100%), and the 6h/30m pair pages on its own.
  const bad = (factor: number) => Math.min(SCALE, budget * factor);
  const count = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
  const b = { healthy: bad(0.5), ticketLong: bad(2), ticket: bad(5), pageLong: bad(10), page: bad(20) };
  return {
    percent,
    budget: decimal(budget),
    tests: {
      healthy: count(b.healthy),
      ticketLong: count(b.ticketLong),
      ticket: count(b.ticket),
      pageLong: count(b.pageLong),
      page: count(b.page),
      goodHealthy: count(SCALE - b.healthy),
      goodTicketLong: count(SCALE - b.ticketLong),
      goodTicket: count(SCALE - b.ticket),
      goodPageLong: count(SCALE - b.pageLong),
      goodPage: count(SCALE - b.page),
      // ppm = bad / 100000 * 1e6 = bad * 10
      healthyPpm: String(b.healthy * 10),
      pagePpm: String(b.page * 10),
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

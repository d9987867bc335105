import { Duration } from 'cdk8s';

/** A Duration as Go's `time.Duration.String()` writes whole seconds (`1h0m0s`, `5m0s`, `30s`): what the operators parse. */
export function goDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/**
 * The whole seconds of a Duration prop, from `minSeconds`, or undefined when not given; anything else is refused
 * naming the construct path and the prop.
 */
export function checkSeconds(path: string, field: string, value: unknown, minSeconds: number, example: string): number | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Duration)) {
    throw new Error(`[${path}] ${field}: ${JSON.stringify(value)} is not a Duration; use e.g. ${example}`);
  }
  const seconds = value.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < minSeconds) {
    throw new Error(`[${path}] ${field}: ${seconds} seconds is not a whole number of seconds from ${minSeconds}; use e.g. ${example}`);
  }
  return seconds;
}

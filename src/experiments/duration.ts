/**
 * Durations as users write them in experiments and on the command line: `500ms`, `30s`, `10m`, `1h`,
 * `1h30m`, or a bare number of seconds.
 */
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export class DurationError extends Error {
  readonly code = 'BAD_DURATION';
  constructor(readonly value: unknown) {
    super(`'${String(value)}' is not a duration (examples: 500ms, 30s, 10m, 1h30m, or a number of seconds)`);
    this.name = 'DurationError';
  }
}

export function parseDurationMs(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new DurationError(value);
    return value * 1000;
  }
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) throw new DurationError(value);
  return parts.reduce((total, part) => total + Number(part[1]) * UNIT_MS[part[2]!]!, 0);
}

export function formatDurationMs(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Option parsing and number formats shared by the simulator benchmarks. */

/** As for every Meridian command: 2 means the benchmark was called wrongly. */
export const EXIT_BAD_USAGE = 2;

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A bounded positive integer option; a benchmark refuses sizes that would not finish in reasonable time. */
export function positiveInteger(text: string, flag: string, max: number): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new RangeError(`${flag} must be an integer from 1 to ${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** 4 812 345 -> "4.81 M"; 98 765 -> "98.8 k". */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k`;
  return perSecond.toFixed(0);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Checks shared by the edges' option resolvers. The edges run on one machine and must never reach out
 * of it, so every address they listen on or connect to is loopback.
 */
import { isIPv4 } from 'node:net';
import { EdgeConfigError } from './edge-errors.ts';

export function requireLoopbackHost(field: string, host: string): string {
  const address = host === 'localhost' ? '127.0.0.1' : host;
  if (!isIPv4(address) || !address.startsWith('127.')) {
    throw new EdgeConfigError(field, `must be a 127.0.0.0/8 address or localhost, got ${JSON.stringify(host)}`);
  }
  return address;
}

export function requireInteger(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new EdgeConfigError(field, `must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/** 0 asks the kernel for a free port. */
export function requirePort(field: string, port: number, allowZero: boolean): number {
  return requireInteger(field, port, allowZero ? 0 : 1, 65_535);
}

/**
 * Reading /proc/<pid>/stat (proc(5)), for the lab's process supervision and the benchmarks' CPU shares.
 * Fields are counted after the parenthesised command name (which may hold spaces): state is index 0,
 * ppid 1, pgrp 2, utime 11, stime 12.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of utime and stime: 100 on every Linux the lab runs on. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** The fields after the command name, or undefined when the process is gone. */
export function procStatFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** CPU ticks (utime + stime) of a process from its stat fields. */
export function cpuTicks(fields: readonly string[]): number {
  return Number(fields[11]) + Number(fields[12]);
}

/** utime + stime of a process in ms; NaN once the process is gone. */
export function processCpuMs(pid: number): number {
  const fields = procStatFields(pid);
  return fields === undefined ? Number.NaN : (cpuTicks(fields) * 1000) / CLOCK_TICKS_PER_SECOND;
}

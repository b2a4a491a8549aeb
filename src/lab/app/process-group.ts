import { readdirSync } from 'node:fs';
import { procStatFields } from '../proc-stat.ts';

/**
 * An app runs in a process group of its own (spawned `detached`), so that stopping it reaches every
 * process it started: the shell of a `command`, and whatever the shell started. Only groups the lab
 * created are signalled, by their id.
 */

/** Sends a signal to every process of the group; a group that is already gone is not an error. */
export function signalGroup(groupId: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-groupId, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Whether any process of the group still runs. Zombies do not count: a process whose parent died is
 * reparented to PID 1, which in a container may never reap it, and a zombie holds no port or file. Where
 * /proc is missing, any member (zombies included) counts.
 */
export function groupAlive(groupId: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return signalZeroSucceeds(-groupId);
  }
  return entries.some((entry) => /^\d+$/.test(entry) && liveMemberOf(Number(entry), groupId));
}

/** Waits, polling every `pollMs`, until no process of the group runs or `timeoutMs` has passed; tells which. */
export async function waitForGroupExit(groupId: number, timeoutMs: number, pollMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(groupId)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return true;
}

function liveMemberOf(pid: number, groupId: number): boolean {
  const fields = procStatFields(pid);
  if (fields === undefined) return false;
  // After the parenthesised command name: state is field 3, pgrp field 5 (proc(5)).
  return Number(fields[2]) === groupId && fields[0] !== 'Z' && fields[0] !== 'X';
}

function signalZeroSucceeds(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

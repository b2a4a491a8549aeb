import type { Architecture } from '../advise/architecture.ts';
import type { ResolvedFault } from './resolved-experiment.ts';

/**
 * How every backend names what an experiment refers to, so that the simulator, the lab and synth agree:
 * a region by role (`primary`, or `secondary`: the first standby, else the first other serving region) or
 * by code, and the label a fault carries in reports.
 */
export function regionOfReference(architecture: Architecture, reference: string): string | undefined {
  if (reference === 'primary') return architecture.primary;
  if (reference === 'secondary') return architecture.standbyRegions[0] ?? architecture.servingRegions.find((region) => region !== architecture.primary);
  return reference;
}

/** A fault's label in reports: its action and what it targets. */
export function faultLabel(fault: ResolvedFault): string {
  const target = 'region' in fault && fault.region ? ` ${fault.region}` : fault.action === 'partition' ? ` ${fault.isolate ?? fault.between?.join('↔')}` : fault.action === 'link-latency' ? ` ${fault.between.join('↔')}` : '';
  return `${fault.action}${target}`;
}

/**
 * Operating errors of the data layer of `meridian synth`, each with a stable `code`. They are thrown before
 * any resource is emitted, so a plan that would put regulated data in the wrong place, or a table AWS cannot
 * build, never reaches a template. (No `node:assert` here: this folder is copied into the generated CDK app
 * and imports only aws-cdk-lib, constructs and cdk-nag.)
 */

/** What a region does for a data class; the residency error names it. */
export type DataRole = 'replica' | 'writer' | 'witness' | 'key' | 'secondary';

/** A resident class would keep a replica, writer, witness or key in a region outside its zone. */
export class DataResidencyError extends Error {
  readonly code = 'SYNTH_DATA_RESIDENCY';

  constructor(
    readonly dataClass: string,
    readonly region: string,
    readonly zone: string,
    readonly role: DataRole,
    readonly zoneRegions: readonly string[],
  ) {
    super(`data class ${dataClass} is resident in zone ${zone} (${zoneRegions.join(', ')}), but its ${role} would be in ${region}`);
    this.name = 'DataResidencyError';
  }
}

/** A data class whose shape AWS cannot build (an MRSC table of four regions, a resident table without its key, …). */
export class DataShapeError extends Error {
  readonly code = 'SYNTH_DATA_SHAPE';

  constructor(
    readonly dataClass: string,
    readonly reason: string,
  ) {
    super(`data class ${dataClass}: ${reason}`);
    this.name = 'DataShapeError';
  }
}

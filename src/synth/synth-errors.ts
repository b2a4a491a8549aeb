/**
 * Typed errors of `meridian synth`. A refusal is an operating error: the plan asks for something the AWS
 * services cannot express (a routing policy that needs fixed IP addresses, a health check interval Route 53
 * does not offer). The CLI prints the message and exits non-zero; it is not a bug in the constructs.
 */
export type SynthRefusalCode =
  | 'multivalue-needs-ip-addresses'
  | 'simple-routing-many-records'
  | 'health-check-interval'
  | 'health-check-threshold'
  | 'unknown-region'
  | 'budget-amount'
  | 'origin-regions';

export class SynthRefusal extends Error {
  override readonly name = 'SynthRefusal';

  constructor(
    /** Stable identifier, for tests and for the CLI's exit reporting. */
    readonly code: SynthRefusalCode,
    message: string,
  ) {
    super(message);
  }
}

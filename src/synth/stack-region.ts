/**
 * The concrete region of the stack a data construct is in. Data constructs need it as a string (replica
 * lists, residency, alias ARNs), so an environment-agnostic stack is refused rather than guessed.
 */
import { Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { DataShapeError } from './data-errors.ts';

export function concreteStackRegion(scope: IConstruct, dataClass: string): string {
  const region = Stack.of(scope).region;
  if (Token.isUnresolved(region)) {
    throw new DataShapeError(dataClass, `stack ${Stack.of(scope).stackName} has no explicit region (give it env: { account, region })`);
  }
  return region;
}

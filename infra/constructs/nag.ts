/**
 * cdk-nag acknowledgements (v3: CDK's `Validations.of(scope).acknowledge`). Each one names the exact finding
 * (`AwsSolutions-IAM5[Resource::...]`, never a whole rule where a finding id exists) and the reason it is right here.
 */
import { Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** How cdk-nag renders the stack's region in a finding id: the literal region, or `<AWS::Region>`. */
export function nagRegion(scope: IConstruct): string {
  const region = Stack.of(scope).region;
  return Token.isUnresolved(region) ? '<AWS::Region>' : region;
}

/** How cdk-nag renders the stack's account in a finding id. */
export function nagAccount(scope: IConstruct): string {
  const account = Stack.of(scope).account;
  return Token.isUnresolved(account) ? '<AWS::AccountId>' : account;
}

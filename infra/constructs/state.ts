/**
 * The state: DynamoDB tables built from the ONE definition in shared/store/tables.ts (the local cloud creates the
 * same from it). On-demand, point-in-time recovery, encrypted with the stack's key, TTL on the definition's attribute.
 * IAM: the Store port's item operations on the tables (and their indexes, if any), nothing else.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { type KeyAttribute, STATE_TABLE, TABLES, type TableDefinition } from '../../shared/store/tables.js';

/** What shared/adapters/dynamodb does with items: reads, conditional writes, batch writes, deletes. */
export const STORE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const;

export interface StateProps {
  key: kms.IKey;
  removalPolicy: RemovalPolicy;
}

function attributeType(k: KeyAttribute): dynamodb.AttributeType {
  return k.type === 'S'
    ? dynamodb.AttributeType.STRING
    : k.type === 'N'
      ? dynamodb.AttributeType.NUMBER
      : dynamodb.AttributeType.BINARY;
}

export class State extends Construct {
  readonly tables = new Map<string, dynamodb.TableV2>();
  readonly stateTable: dynamodb.TableV2;
  private readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: StateProps) {
    super(scope, id);
    this.key = props.key;
    for (const definition of TABLES) this.tables.set(definition.id, this.table(definition, props));
    this.stateTable = this.tables.get(STATE_TABLE.id)!;
  }

  private table(definition: TableDefinition, props: StateProps): dynamodb.TableV2 {
    return new dynamodb.TableV2(this, definition.id, {
      partitionKey: { name: definition.partitionKey.name, type: attributeType(definition.partitionKey) },
      ...(definition.sortKey
        ? { sortKey: { name: definition.sortKey.name, type: attributeType(definition.sortKey) } }
        : {}),
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: definition.pointInTimeRecovery },
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(props.key),
      ...(definition.timeToLiveAttribute ? { timeToLiveAttribute: definition.timeToLiveAttribute } : {}),
      globalSecondaryIndexes: definition.globalSecondaryIndexes.map((gsi) => ({
        indexName: gsi.name,
        partitionKey: { name: gsi.partitionKey.name, type: attributeType(gsi.partitionKey) },
        ...(gsi.sortKey ? { sortKey: { name: gsi.sortKey.name, type: attributeType(gsi.sortKey) } } : {}),
      })),
      deletionProtection: props.removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy: props.removalPolicy,
    });
  }

  /** The Store port on every table (+ `extra` actions), and the key to read and write its items. */
  grantStore(grantee: iam.IGrantable, extra: readonly string[] = []): void {
    const resources: string[] = [];
    for (const [id, table] of this.tables) {
      resources.push(table.tableArn);
      const definition = TABLES.find((t) => t.id === id)!;
      for (const gsi of definition.globalSecondaryIndexes) resources.push(`${table.tableArn}/index/${gsi.name}`);
    }
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...STORE_ACTIONS, ...extra], resources }),
    );
    // DynamoDB encrypts and decrypts items with the table key on the caller's behalf.
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: [this.key.keyArn],
      }),
    );
  }
}

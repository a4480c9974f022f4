import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { TableDefinition } from '../../store/tables.js';

/** The CreateTable request of a table definition (what the CDK stack declares, for the local cloud and tests). */
export function createTableInput(definition: TableDefinition, tableName: string): CreateTableCommandInput {
  const attributes = new Map<string, string>();
  const add = (k: { name: string; type: string } | undefined) => {
    if (k) attributes.set(k.name, k.type);
  };
  add(definition.partitionKey);
  add(definition.sortKey);
  for (const gsi of definition.globalSecondaryIndexes) {
    add(gsi.partitionKey);
    add(gsi.sortKey);
  }
  const keySchema = (pk: { name: string }, sk?: { name: string }) => [
    { AttributeName: pk.name, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType: AttributeType as 'S' | 'N' | 'B',
    })),
    KeySchema: keySchema(definition.partitionKey, definition.sortKey),
    ...(definition.globalSecondaryIndexes.length > 0
      ? {
          GlobalSecondaryIndexes: definition.globalSecondaryIndexes.map((gsi) => ({
            IndexName: gsi.name,
            KeySchema: keySchema(gsi.partitionKey, gsi.sortKey),
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}

/**
 * Creates the tables that do not exist yet and waits until they are active. TTL is switched on where the
 * service supports it (dynalite does not: the local cloud's sweeper deletes expired items instead).
 */
export async function ensureTables(
  client: DynamoDBClient,
  definitions: readonly TableDefinition[],
  nameOf: (definition: TableDefinition) => string,
): Promise<void> {
  for (const definition of definitions) {
    const name = nameOf(definition);
    try {
      await client.send(new CreateTableCommand(createTableInput(definition, name)));
    } catch (error: unknown) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    for (let i = 0; ; i++) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
      if (Table?.TableStatus === 'ACTIVE') break;
      if (i > 200) throw new Error(`table ${name} did not become active`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (definition.timeToLiveAttribute) {
      try {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: name,
            TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
          }),
        );
      } catch (error: unknown) {
        // dynalite: UnknownOperationException. Real DynamoDB: already enabled.
        if (
          !(error instanceof Error) ||
          !/UnknownOperation|ValidationException|already enabled/i.test(`${error.name} ${error.message}`)
        )
          throw error;
      }
    }
  }
}

import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Tx } from './transaction-runner.js';

/** A statement and its parameters, kept together so a test can EXPLAIN exactly what a repository runs. */
export interface SqlQuery {
  text: string;
  values: unknown[];
}

/**
 * Runs raw SQL and returns its rows. TypeORM's postgres driver answers UPDATE and DELETE with
 * `[rows, rowCount]` but SELECT with `rows`; this hides the difference. `manager` is a connection
 * (`dataSource.manager`) or a transaction (`Tx`).
 */
export async function sqlRows<Row>(manager: EntityManager, sql: string, parameters: unknown[] = []): Promise<Row[]> {
  const result: unknown = await manager.query(sql, parameters);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as Row[];
  }
  return result as Row[];
}

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

const statementNames = new Map<string, string>();

/** A statement's name on a connection: derived from its text, so one name always means one text. */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `herald_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/**
 * {@link sqlRows} as a prepared statement of the transaction's connection: PostgreSQL plans it once per
 * connection instead of on every run. For the statements every publish (claim, outcome) and every
 * created post run, where planning was about half of PostgreSQL's time (docs/benchmarks.md, "Where the
 * gaps come from"). Row-level security still applies: PostgreSQL replans for another role, and
 * `current_workspace_id()` is read when the statement runs.
 * `sql` must be one of a few fixed texts: each distinct text stays prepared on every pooled connection.
 */
export async function preparedRows<Row>(tx: Tx, sql: string, parameters: unknown[] = []): Promise<Row[]> {
  const client = (await tx.queryRunner!.connect()) as PgClient;
  // Through TypeORM's logger like any other query, since the driver is called directly.
  tx.connection.logger.logQuery(sql, parameters, tx.queryRunner);
  const result = await client.query({ name: statementName(sql), text: sql, values: parameters });
  return result.rows as Row[];
}

import type { EntityManager } from 'typeorm';

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

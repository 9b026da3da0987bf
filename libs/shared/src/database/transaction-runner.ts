import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { API_ROLE } from './api-role.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

declare const inTransaction: unique symbol;

/**
 * A transaction in progress. Repository methods that must join their caller's transaction take it
 * first; the brand keeps a plain connection (which would commit each statement on its own) out.
 */
export type Tx = EntityManager & { readonly [inTransaction]: true };

/** Runs work in one transaction, so a service can compose several repositories' writes atomically. */
@Injectable()
export class TransactionRunner {
  constructor(private readonly dataSource: DataSource) {}

  /** A transaction as the connection's own role: for the worker and scheduler, which work across workspaces. */
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(manager as Tx));
  }

  /**
   * A transaction on one workspace's behalf, as the API role: row-level security then shows and accepts
   * that workspace's rows only, whatever the queries inside forget to filter, and even when DATABASE_URL
   * names a superuser. Both settings are transaction-local, so the pooled connection keeps neither.
   */
  async forWorkspace<T>(workspaceId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    // Written into the SQL below: only a UUID may get there.
    if (!UUID.test(workspaceId)) throw new Error(`Not a workspace id: ${JSON.stringify(workspaceId)}`);
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      // BEGIN and the settings in one round trip: a simple-protocol query, which may hold two statements
      // but no parameters, hence the checked literal.
      await runner.query(
        `START TRANSACTION; SELECT set_config('role', '${API_ROLE}', true), ` +
          `set_config('herald.workspace_id', '${workspaceId}', true)`,
      );
      const result = await work(runner.manager as Tx);
      await runner.query('COMMIT');
      return result;
    } catch (error) {
      // A broken connection cannot roll back, and needs not: PostgreSQL ends the transaction with it.
      await runner.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { API_ROLE } from './api-role.js';

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
  forWorkspace<T>(workspaceId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.run(async (tx) => {
      await tx.query(`SELECT set_config('role', $1, true), set_config('herald.workspace_id', $2, true)`, [
        API_ROLE,
        workspaceId,
      ]);
      return work(tx);
    });
  }
}

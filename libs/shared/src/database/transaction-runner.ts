import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

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

  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(manager as Tx));
  }
}

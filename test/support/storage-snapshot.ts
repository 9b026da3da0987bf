import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';

/** What a request could have written: every table's rows (count and checksum) and the media files. */
export interface StorageSnapshot {
  tables: Record<string, { rows: number; checksum: string }>;
  /** `path: size` of every file under the media directory. */
  media: string[];
}

/**
 * Takes snapshots of every table of the test database (found once, so a table added by a migration
 * is covered) and of the media directory. One query per snapshot: the checksum is the md5 of the
 * sorted md5s of the rows' text.
 */
export async function storageSnapshots(sql: DataSource, mediaDir: string): Promise<() => Promise<StorageSnapshot>> {
  const tables: { table_name: string }[] = await sql.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const query = tables
    .map(
      ({ table_name }) =>
        `SELECT '${table_name}' AS name, count(*)::int AS rows, ` +
        `md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) AS checksum FROM "${table_name}" t`,
    )
    .join(' UNION ALL ');
  return async () => {
    const rows: { name: string; rows: number; checksum: string }[] = await sql.query(query);
    return {
      tables: Object.fromEntries(rows.map(({ name, ...row }) => [name, row])),
      media: await filesUnder(mediaDir),
    };
  };
}

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  return Promise.all(files.sort().map(async (file) => `${file}: ${(await stat(file)).size}`));
}

import { sql } from 'kysely';
import type { Db } from '../database.ts';

/** One round trip to the database: the health check's proof that storage answers. */
export async function ping(db: Db): Promise<void> {
  await sql`SELECT 1`.execute(db);
}

import pg from 'pg';
import { StoreUnavailableError } from '../storeUnavailable.js';
import { checkOut } from './postgresPool.js';
import type { Cursor } from '../eventstore/eventStore.js';
import { LIVE_TABLES, type SearchTables } from './postgresMigrations.js';
import type { Sequence } from './query.js';
import type { IndexChange, IndexQuery, IndexedMessage, RoomBatch, SearchIndex } from './searchIndex.js';
import { toIndexTerms, toSequenceLexemes, toUnits } from './tokens.js';

/** The projector's lease: whoever holds this advisory lock keeps the index. */
const PROJECTOR_LOCK = 7_240_315_002;
/** tsvector's limits: positions go up to 16383, and a lexeme keeps at most 256 of them. */
const POSITION_MAX = 16_383;
const POSITIONS_PER_TERM = 256;

/**
 * The database gone (refused, dropped, shutting down: SQLSTATE classes 08, 3D and 57, or no
 * SQLSTATE at all) is `StoreUnavailableError` (UNAVAILABLE, 503); anything else is a fault of
 * ours, masked.
 */
const unavailable = (error: unknown): unknown => {
  const code = (error as { code?: unknown }).code;
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/u.test(code) ? code : null;
  return sqlState === null || /^(08|3D|57)/u.test(sqlState) ? new StoreUnavailableError(error) : error;
};

/**
 * How many of the newest rows a search reads in position order before it turns to the words' own
 * index (bench:search measures both paths).
 */
const WINDOW = 20_000;

/**
 * A query's conditions as SQL with numbered parameters: `bounds` (its position bounds alone) and
 * `all` (every condition). `readable: null` leaves the readers' condition out.
 */
const toFilters = (
  query: Pick<IndexQuery, 'only' | 'authorId' | 'below' | 'notBelow'> & { readable: IndexQuery['readable'] | null },
  tsquery: string | null,
) => {
  const values: unknown[] = [];
  const bounds: string[] = [];
  const others: string[] = [];
  const add = (into: string[], clause: (n: number) => string, value: unknown) => {
    values.push(value);
    into.push(clause(values.length));
  };
  if (query.below !== null) add(bounds, (n) => `position < $${n}`, query.below);
  if (query.notBelow !== null) add(bounds, (n) => `position >= $${n}`, query.notBelow);
  if (query.readable) add(others, (n) => `(public OR room_id = ANY($${n}::text[]))`, query.readable.rooms);
  if (tsquery) add(others, (n) => `terms @@ $${n}::tsquery`, tsquery);
  if (query.only) add(others, (n) => `room_id = ANY($${n}::text[])`, query.only);
  if (query.authorId !== null) add(others, (n) => `author_id = $${n}`, query.authorId);
  const and = (clauses: string[]) => (clauses.length === 0 ? 'true' : clauses.join(' AND '));
  return { values, bounds: and(bounds), all: and([...bounds, ...others]) };
};

/** A lexeme quoted for tsvector and tsquery input (terms are letters and digits; quoting is belt and braces). */
const quote = (term: string) => `'${term.replace(/\\/gu, '\\\\').replace(/'/gu, "''")}'`;

/** A body as tsvector input: each term with its positions. */
export const toTsvector = (body: string) =>
  [...toIndexTerms(toUnits(body))]
    .map(
      ([term, positions]) =>
        `${quote(term)}:${positions
          .slice(0, POSITIONS_PER_TERM)
          .map((p) => Math.min(p, POSITION_MAX))
          .join(',')}`,
    )
    .join(' ');

/** A word or phrase as tsquery input: its lexemes, each at its distance from the one before. */
const toPhraseQuery = (sequence: Sequence) => {
  const lexemes = toSequenceLexemes(sequence);
  return `(${lexemes.map((lexeme, i) => (i === 0 ? quote(lexeme.term) : ` <${lexeme.offset - lexemes[i - 1]!.offset}> ${quote(lexeme.term)}`)).join('')})`;
};

/** The words and phrases of a query as one tsquery; null when it has none. */
export const toTsquery = (query: Pick<IndexQuery, 'include' | 'exclude'>) => {
  const parts = [...query.include.map(toPhraseQuery), ...query.exclude.map((sequence) => `!${toPhraseQuery(sequence)}`)];
  return parts.length === 0 ? null : parts.join(' & ');
};

/**
 * The search index in PostgreSQL, shared by every instance: a table of messages with their
 * tsvector under a GIN index, and each room's position. Writes come from one instance at a time
 * (the lease, an advisory lock held by a connection of its own) and are checked against the rooms'
 * positions all the same, so a rebuild's swap or a second writer can never apply an event twice.
 */
export const createPostgresSearchIndex = (options: {
  pool: pg.Pool;
  tables?: SearchTables;
  /** Tests: how many of the newest rows are read in position order first (default `WINDOW`). */
  window?: number;
}): SearchIndex & { pool: pg.Pool } => {
  const { pool, window = WINDOW } = options;
  const { messages, rooms } = options.tables ?? LIVE_TABLES;
  let leaseClient: pg.Client | null = null;
  let leaseHeld = false;
  let leaseLost = false;
  let closed = false;

  const releaseLease = async () => {
    const client = leaseClient;
    leaseClient = null;
    leaseHeld = false;
    await client?.end().catch(() => {});
  };

  const applyChanges = async (client: pg.PoolClient, changes: readonly IndexChange[]) => {
    // One final change per message (a post then its edit puts the edited body; anything then a deletion deletes).
    const last = new Map<string, IndexChange>();
    for (const change of changes) {
      const id = change.type === 'put' ? change.message.id : change.id;
      const before = last.get(id);
      if (change.type === 'edit' && before?.type === 'put')
        last.set(id, { type: 'put', message: { ...before.message, body: change.body } });
      else last.set(id, change);
    }
    const final = [...last.values()];
    const deletes = final.flatMap((change) => (change.type === 'delete' ? [change.id] : []));
    const puts = final.flatMap((change) => (change.type === 'put' ? [change.message] : []));
    const edits = final.flatMap((change) => (change.type === 'edit' ? [change] : []));
    if (deletes.length > 0) await client.query(`DELETE FROM ${messages} WHERE message_id = ANY($1::text[])`, [deletes]);
    if (puts.length > 0) {
      const column = <K extends keyof IndexedMessage>(key: K) => puts.map((message) => message[key]);
      await client.query(
        `INSERT INTO ${messages} (message_id, room_id, author_id, body, position, public, terms)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::tsvector[])
         ON CONFLICT (message_id) DO UPDATE SET body = excluded.body, terms = excluded.terms`,
        [
          column('id'),
          column('roomId'),
          column('authorId'),
          column('body'),
          column('position'),
          column('public'),
          puts.map((message) => toTsvector(message.body)),
        ],
      );
    }
    if (edits.length > 0) {
      await client.query(
        `UPDATE ${messages} m SET body = e.body, terms = e.terms
         FROM unnest($1::text[], $2::text[], $3::tsvector[]) AS e(id, body, terms) WHERE m.message_id = e.id`,
        [edits.map((edit) => edit.id), edits.map((edit) => edit.body), edits.map((edit) => toTsvector(edit.body))],
      );
    }
  };

  return {
    engine: 'postgres',
    pool,
    async lead() {
      if (closed) return false;
      if (leaseClient && leaseHeld && !leaseLost) return true;
      if (leaseLost) await releaseLease();
      try {
        if (!leaseClient) {
          leaseLost = false;
          const client = new pg.Client({ connectionString: (pool.options as { connectionString?: string }).connectionString });
          client.on('error', () => {
            leaseLost = true;
          });
          client.on('end', () => {
            leaseLost = true;
          });
          leaseClient = client;
          await client.connect();
        }
        // The same connection asks again each time, until it holds the lock (or dies).
        const { rows } = await leaseClient.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [PROJECTOR_LOCK]);
        leaseHeld = rows[0]?.locked === true && !closed;
        return leaseHeld;
      } catch {
        // Unreachable: not the leader now; the projector asks again.
        await releaseLease();
        return false;
      }
    },
    async positions(roomIds) {
      const { rows } = await pool.query<{ room_id: string; position: string }>(
        `SELECT room_id, position FROM ${rooms} WHERE room_id = ANY($1::text[])`,
        [roomIds],
      );
      return new Map(rows.map((row) => [row.room_id, row.position as Cursor]));
    },
    async apply(batches: readonly RoomBatch[]) {
      if (batches.length === 0) return 'applied';
      const client = await checkOut(pool);
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{ n: string }>(
          `WITH input AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS i(room_id, before, after)),
           moved AS (UPDATE ${rooms} r SET position = i.after FROM input i WHERE r.room_id = i.room_id AND r.position = i.before RETURNING r.room_id),
           added AS (INSERT INTO ${rooms} (room_id, position) SELECT room_id, after FROM input WHERE before IS NULL ON CONFLICT DO NOTHING RETURNING room_id)
           SELECT (SELECT count(*) FROM moved) + (SELECT count(*) FROM added) AS n`,
          [batches.map((batch) => batch.roomId), batches.map((batch) => batch.from), batches.map((batch) => batch.to)],
        );
        if (Number(rows[0]!.n) !== batches.length) {
          await client.query('ROLLBACK');
          return 'moved';
        }
        await applyChanges(
          client,
          batches.flatMap((batch) => batch.changes),
        );
        await client.query('COMMIT');
        return 'applied';
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async search(query: IndexQuery) {
      const run = async (sql: string, values: unknown[]) =>
        (
          await pool.query<{ message_id: string; room_id: string; position: string }>(sql, values).catch((error: unknown) => {
            throw unavailable(error);
          })
        ).rows.map((row) => ({ id: row.message_id, roomId: row.room_id, position: row.position }));
      const tsquery = toTsquery(query);
      const filters = toFilters(query, tsquery);
      if (!tsquery) {
        // Filters alone (from:, in:): the position order with the author's or room's index.
        const values = [...filters.values, query.limit];
        return run(
          `SELECT message_id, room_id, position FROM ${messages} WHERE ${filters.all} ORDER BY position DESC LIMIT $${values.length}`,
          values,
        );
      }
      // First the newest WINDOW rows (within the page's bounds), read in position order: frequent
      // words fill a page there at once, as the planner's own ordered scan would.
      const bounds = toFilters({ ...query, readable: null, only: null, authorId: null }, null);
      const windowValues = [...filters.values, query.limit];
      const windowed = await run(
        `SELECT message_id, room_id, position FROM (
           SELECT message_id, room_id, author_id, position, public, terms FROM ${messages}
           WHERE ${filters.bounds} ORDER BY position DESC LIMIT ${window}
         ) recent WHERE ${filters.all} ORDER BY position DESC LIMIT $${windowValues.length}`,
        windowValues,
      );
      if (windowed.length === query.limit) return windowed;
      const edge = await pool
        .query<{ position: string }>(
          `SELECT position FROM ${messages} WHERE ${bounds.bounds} ORDER BY position DESC OFFSET ${window - 1} LIMIT 1`,
          bounds.values,
        )
        .catch((error: unknown) => {
          throw unavailable(error);
        });
      const floor = edge.rows[0]?.position;
      if (floor === undefined) return windowed;
      // Then below the window, from the words' own index (GIN) and not the position order: a rare
      // word, a phrase or an unknown one would otherwise walk the whole table newest first.
      const olderValues = [...filters.values, floor, query.limit - windowed.length];
      const older = await run(
        `WITH matching AS MATERIALIZED (
           SELECT message_id, room_id, position FROM ${messages} WHERE ${filters.all} AND position < $${olderValues.length - 1}
         ) SELECT message_id, room_id, position FROM matching ORDER BY position DESC LIMIT $${olderValues.length}`,
        olderValues,
      );
      return [...windowed, ...older];
    },
    async ping() {
      await pool.query('SELECT 1').catch((error: unknown) => {
        throw unavailable(error);
      });
    },
    async close() {
      closed = true;
      await releaseLease();
    },
  };
};

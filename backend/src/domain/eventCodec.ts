import { z } from 'zod';
import type { DomainEvent } from './decider.js';

/*
 * Fields the events of every aggregate share. Schemas check shape, not today's input rules (name
 * and body lengths, forbidden characters): the log keeps what the rules allowed when it was written,
 * and a rule tightened later must not make history unreadable.
 */

/** An id: any non-empty string (ids are made outside the domain, in more than one format). */
export const idSchema = z.string().min(1);
/** An instant as `Date.toISOString` writes it; an offset is accepted too. */
export const timestampSchema = z.iso.datetime({ offset: true });

/**
 * An event as a store hands it back. Its type and the schema version it was written with are facts
 * of the log; its data is not trusted until decoded. A store's recorded event fits as it is.
 */
export interface UndecodedEvent {
  type: string;
  v: number;
  data: unknown;
}

/** An event ready for the log: its type, the version its data is written as, and the data. */
export interface EncodedEvent<T extends string = string> {
  type: T;
  v: number;
  data: unknown;
}

/**
 * An event that does not decode: a type or version this code does not know, or data that breaks
 * its version's schema. That is a bug or corrupted data, never the user's doing, so it is not a
 * `DomainError`: it stays masked like any unexpected error, and its message (type, version and
 * which fields failed, never their values) is for the logs.
 */
export class EventDecodeError extends Error {
  override name = 'EventDecodeError';
  /** The type as stored (or as about to be stored). */
  readonly eventType: string;
  readonly version: number;

  constructor(message: string, details: { eventType: string; version: number; cause?: unknown }) {
    super(message, { cause: details.cause });
    this.eventType = details.eventType;
    this.version = details.version;
  }
}

/**
 * Every version of one event type, oldest first: each version's schema, and the upcaster that
 * turns the version before it into it. Built with `eventVersions(type, v1).next(v2, fromV1)…`.
 */
export interface EventVersions<T extends string, D> {
  readonly type: T;
  /** The newest version: what is written now, and what `decode` answers. */
  readonly current: number;
  /** The current version's schema: what is written now must pass it. */
  readonly schema: z.ZodType;
  /**
   * Data stored as version `v`, validated against that version's schema and upcast to the current
   * version. Throws `EventDecodeError` for a version this code does not know or data that fails.
   */
  readonly decode: (v: number, data: unknown) => D;
  /** These versions and one newer, with the upcaster from the current version to it. */
  readonly next: <S extends z.ZodType>(schema: S, upcast: (previous: D) => z.output<S>) => EventVersions<T, z.output<S>>;
}

type Version = { schema: z.ZodType; fromPrevious: (previous: unknown) => unknown };

// Paths only: messages must not copy values (message bodies, names) into logs.
const describeIssues = (error: z.ZodError): string =>
  error.issues.map((issue) => `${['data', ...issue.path.map(String)].join('.')}: ${issue.message}`).join('; ');

const versionsOf = <T extends string, D>(type: T, versions: readonly Version[]): EventVersions<T, D> => ({
  type,
  current: versions.length,
  schema: versions[versions.length - 1]!.schema,
  decode: (v, data) => {
    const version = Number.isInteger(v) ? versions[v - 1] : undefined;
    if (!version) {
      const known = versions.length === 1 ? 'v1' : `v1–v${versions.length}`;
      throw new EventDecodeError(`Cannot decode ${type} v${v}: unknown version (this code knows ${known})`, {
        eventType: type,
        version: v,
      });
    }
    const parsed = version.schema.safeParse(data);
    if (!parsed.success) {
      throw new EventDecodeError(`Cannot decode ${type} v${v}: ${describeIssues(parsed.error)}`, {
        eventType: type,
        version: v,
        cause: parsed.error,
      });
    }
    // Upcasters are typed from each version's schema output to the next, so their result needs no second parse.
    return versions.slice(v).reduce((previous, newer) => newer.fromPrevious(previous), parsed.data as unknown) as D;
  },
  next: <S extends z.ZodType>(schema: S, upcast: (previous: D) => z.output<S>) =>
    versionsOf<T, z.output<S>>(type, [...versions, { schema, fromPrevious: upcast as (previous: unknown) => unknown }]),
});

/** An event type whose first version's data has this schema; add newer versions with `.next`. */
export const eventVersions = <T extends string, S extends z.ZodType>(type: T, v1: S): EventVersions<T, z.output<S>> =>
  versionsOf(type, [{ schema: v1, fromPrevious: (data) => data }]);

type DataOf<E extends DomainEvent, T extends E['type']> = Extract<E, { type: T }>['data'];

/** Each type of the union with its versions; a type left out does not compile. */
export type EventVersionsOf<E extends DomainEvent> = { readonly [T in E['type']]: EventVersions<T, DataOf<E, T>> };

/** How one aggregate's events are read from and written to the log. */
export interface EventCodec<E extends DomainEvent> {
  /** What the codec was made of: spread several into `createEventCodec` to decode their union. */
  readonly versions: EventVersionsOf<E>;
  readonly types: readonly E['type'][];
  /** The version each type is written as now. */
  readonly currentVersions: Readonly<Record<E['type'], number>>;
  readonly isKnownType: (type: string) => type is E['type'];
  /**
   * The stored event as the current version of its type. Throws `EventDecodeError` naming the type
   * and version when the type or version is unknown or the data fails that version's schema.
   */
  readonly decode: (stored: UndecodedEvent) => E;
  /**
   * The event with the version to store it as. Throws `EventDecodeError` when its data would not
   * decode: a stored event cannot be taken back, so a decider's bug is stopped before the log.
   */
  readonly encode: (event: E) => EncodedEvent<E['type']>;
}

/**
 * The codec of an event union, from the versions of each of its types. The type parameter is the
 * union, given explicitly; the argument must then list every type, each with versions whose newest
 * schema produces that type's data.
 */
export const createEventCodec = <E extends DomainEvent>(versions: EventVersionsOf<E>): EventCodec<E> => {
  // A Map, not an object lookup: a stored type such as "toString" must not find Object.prototype.
  const byType = new Map<string, EventVersions<string, unknown>>(Object.entries<EventVersions<string, unknown>>(versions));
  const isKnownType = (type: string): type is E['type'] => byType.has(type);
  const versionsFor = (type: string) => byType.get(type) as EventVersions<E['type'], E['data']>;
  return {
    versions,
    types: [...byType.keys()] as E['type'][],
    currentVersions: Object.fromEntries([...byType].map(([type, { current }]) => [type, current])) as Record<E['type'], number>,
    isKnownType,
    decode: (stored) => {
      if (!isKnownType(stored.type)) {
        throw new EventDecodeError(`Cannot decode ${JSON.stringify(stored.type)} v${stored.v}: unknown event type`, {
          eventType: stored.type,
          version: stored.v,
        });
      }
      return { type: stored.type, data: versionsFor(stored.type).decode(stored.v, stored.data) } as E;
    },
    encode: (event) => {
      // Only a cast can get here with a type the union does not have; refuse it like bad data.
      if (!isKnownType(event.type)) {
        throw new EventDecodeError(`Refusing to store ${JSON.stringify(event.type)}: unknown event type`, {
          eventType: event.type,
          version: Number.NaN,
        });
      }
      const { current, schema } = versionsFor(event.type);
      const parsed = schema.safeParse(event.data);
      if (!parsed.success) {
        throw new EventDecodeError(`Refusing to store ${event.type} v${current}, which would not decode: ${describeIssues(parsed.error)}`, {
          eventType: event.type,
          version: current,
          cause: parsed.error,
        });
      }
      return { type: event.type, v: current, data: event.data };
    },
  };
};

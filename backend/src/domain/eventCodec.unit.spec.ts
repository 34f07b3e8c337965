import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { DomainEvent } from './decider.js';
import { createEventCodec, EventDecodeError, eventVersions } from './eventCodec.js';
import { expectDecodeError } from '../testing/decodeError.js';

// A made-up event with three versions, so the chain is exercised beyond a single step.
type Pinged = DomainEvent<'Pinged', { id: string; count: number; label: string }>;
type Ponged = DomainEvent<'Ponged', { id: string }>;
type ToyEvent = Pinged | Ponged;

const pingedV1 = z.strictObject({ id: z.string() });
const pingedV2 = z.strictObject({ id: z.string(), count: z.number() });
const pingedV3 = z.strictObject({ id: z.string(), count: z.number(), label: z.string() });

const codec = createEventCodec<ToyEvent>({
  Pinged: eventVersions('Pinged', pingedV1)
    .next(pingedV2, (v1) => ({ ...v1, count: 1 }))
    .next(pingedV3, (v2) => ({ ...v2, label: `#${v2.count}` })),
  Ponged: eventVersions('Ponged', z.strictObject({ id: z.string() })),
});

describe('event codec', () => {
  it('knows each type and the version it is written as', () => {
    expect(codec.types).toEqual(['Pinged', 'Ponged']);
    expect(codec.currentVersions).toEqual({ Pinged: 3, Ponged: 1 });
    expect(codec.isKnownType('Pinged')).toBe(true);
    expect(codec.isKnownType('Pinged ')).toBe(false);
  });

  it('upcasts every older version through each step, in order', () => {
    expect(codec.decode({ type: 'Pinged', v: 1, data: { id: 'a' } })).toEqual({ type: 'Pinged', data: { id: 'a', count: 1, label: '#1' } });
    expect(codec.decode({ type: 'Pinged', v: 2, data: { id: 'a', count: 7 } })).toEqual({
      type: 'Pinged',
      data: { id: 'a', count: 7, label: '#7' },
    });
    expect(codec.decode({ type: 'Pinged', v: 3, data: { id: 'a', count: 7, label: 'x' } })).toEqual({
      type: 'Pinged',
      data: { id: 'a', count: 7, label: 'x' },
    });
  });

  it('checks data against the schema of the version it was stored as, not the current one', () => {
    // Valid v3 data stored under v1 has keys v1 never had: the writer and this reader disagree about v1.
    const error = expectDecodeError(() => codec.decode({ type: 'Pinged', v: 1, data: { id: 'a', count: 7, label: 'x' } }));
    expect(error.message).toMatch(/^Cannot decode Pinged v1: data: Unrecognized keys: "count", "label"$/u);
  });

  it.each([0, 4, -1, 1.5, Number.NaN])('refuses version %s, naming the versions it knows', (v) => {
    const error = expectDecodeError(() => codec.decode({ type: 'Pinged', v, data: { id: 'a' } }));
    expect(error).toMatchObject({ name: 'EventDecodeError', eventType: 'Pinged', version: v });
    expect(error.message).toBe(`Cannot decode Pinged v${v}: unknown version (this code knows v1–v3)`);
  });

  it.each(['Pinged2', 'pinged', 'toString', '__proto__', ''])('refuses the unknown type %j', (type) => {
    const error = expectDecodeError(() => codec.decode({ type, v: 1, data: { id: 'a' } }));
    expect(error).toMatchObject({ eventType: type, version: 1 });
    expect(error.message).toBe(`Cannot decode ${JSON.stringify(type)} v1: unknown event type`);
  });

  it('names every failing field, without copying values into the message', () => {
    const error = expectDecodeError(() => codec.decode({ type: 'Pinged', v: 3, data: { id: 42, count: 'secret words', label: null } }));
    expect(error.message).toMatch(
      /^Cannot decode Pinged v3: data\.id: .*expected string.*; data\.count: .*expected number.*; data\.label: /u,
    );
    expect(error.message).not.toContain('secret');
    expect(error.cause).toBeInstanceOf(z.ZodError);
  });

  it.each([null, undefined, 'a', [], 1])('refuses data that is not an object: %j', (data) => {
    expect(() => codec.decode({ type: 'Ponged', v: 1, data })).toThrow(EventDecodeError);
  });

  it('is not a DomainError: a stored event that does not decode is a bug, not a refusal', async () => {
    const { DomainError } = await import('./errors.js');
    const error = expectDecodeError(() => codec.decode({ type: 'Nope', v: 1, data: {} }));
    expect(error).not.toBeInstanceOf(DomainError);
  });

  it('encodes an event with its current version', () => {
    expect(codec.encode({ type: 'Pinged', data: { id: 'a', count: 2, label: 'b' } })).toEqual({
      type: 'Pinged',
      v: 3,
      data: { id: 'a', count: 2, label: 'b' },
    });
    expect(codec.encode({ type: 'Ponged', data: { id: 'a' } })).toEqual({ type: 'Ponged', v: 1, data: { id: 'a' } });
  });

  it('refuses to encode data that would not decode', () => {
    const bad = { type: 'Pinged', data: { id: 'a', count: 2 } } as unknown as ToyEvent;
    const error = expectDecodeError(() => codec.encode(bad));
    expect(error).toMatchObject({ eventType: 'Pinged', version: 3 });
    expect(error.message).toMatch(/^Refusing to store Pinged v3, which would not decode: data\.label: /u);
    expect(() => codec.encode({ type: 'Nope', data: {} } as unknown as ToyEvent)).toThrow(
      /^Refusing to store "Nope": unknown event type$/u,
    );
  });
});

import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../eventstore/eventStore.js';
import type { ActivityNote } from './activity.js';
import { BUCKET_MS, toEmissions } from './inboxProjector.js';

const note = (cursor: string, data: ActivityNote): RecordedEvent => ({ stream: 'feed', cursor, type: data.kind, data, meta: {}, v: 1 });
const ms = (bucket: number, offset = 0) => bucket * BUCKET_MS + offset;

describe('the inbox emissions of some notes', () => {
  it("keeps a room's activity only as the last note of each bucket, in the notes' order", () => {
    const notes = [
      note(`${ms(4)}-0`, { kind: 'ACTIVITY', roomId: 'a' }),
      note(`${ms(4, 10)}-0`, { kind: 'ACTIVITY', roomId: 'b' }),
      note(`${ms(4, 20)}-0`, { kind: 'READ', roomId: 'a', userId: 'u' }),
      note(`${ms(4, 249)}-3`, { kind: 'ACTIVITY', roomId: 'a' }),
      note(`${ms(5)}-0`, { kind: 'ACTIVITY', roomId: 'a' }),
      note(`${ms(5, 1)}-0`, { kind: 'UPDATED', roomId: 'b' }),
      note(`${ms(5, 2)}-0`, { kind: 'REMOVED', roomId: 'b', userId: 'v' }),
    ];
    expect(toEmissions(notes)).toEqual([
      { cursor: `${ms(4, 10)}-0`, kind: 'ACTIVITY', roomId: 'b', to: 'joined' },
      { cursor: `${ms(4, 20)}-0`, kind: 'READ', roomId: 'a', to: 'u' },
      { cursor: `${ms(4, 249)}-3`, kind: 'ACTIVITY', roomId: 'a', to: 'joined' },
      { cursor: `${ms(5)}-0`, kind: 'ACTIVITY', roomId: 'a', to: 'joined' },
      { cursor: `${ms(5, 1)}-0`, kind: 'UPDATED', roomId: 'b', to: 'listed' },
      { cursor: `${ms(5, 2)}-0`, kind: 'REMOVED', roomId: 'b', to: 'v' },
    ]);
  });

  it('makes the same emissions however the whole buckets are split into reads', () => {
    const notes = Array.from({ length: 40 }, (_, i) => note(`${ms(Math.floor(i / 7), i)}-${i}`, { kind: 'ACTIVITY', roomId: `r${i % 3}` }));
    const whole = toEmissions(notes);
    const byBucket = [0, 1, 2, 3, 4, 5].flatMap((bucket) =>
      toEmissions(notes.filter((n) => Math.floor(Number(n.cursor.split('-')[0]) / BUCKET_MS) === bucket)),
    );
    expect(byBucket).toEqual(whole);
    expect(whole.length).toBeLessThanOrEqual(6 * 3);
  });
});

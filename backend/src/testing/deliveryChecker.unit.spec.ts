import { describe, expect, it } from 'vitest';
import { checkDelivery, type LoggedEvent, type PostAttempt, type ReceivedEvent, type SubscriberHistory } from './deliveryChecker.js';

const posted = (n: number, clientId: string | null = `c${n}`): LoggedEvent => ({
  cursor: `100-${n}`,
  type: 'MessagePosted',
  messageId: `m${n}`,
  clientId,
});
const LOG: LoggedEvent[] = [posted(1), posted(2), posted(3), { cursor: '100-4', type: 'MessageEdited', messageId: 'm2' }, posted(5)];
const ACKS: PostAttempt[] = [1, 2, 3, 5].map((n) => ({ clientId: `c${n}`, outcome: 'acknowledged', messageId: `m${n}` }));
const asReceived = (events: readonly LoggedEvent[]): ReceivedEvent[] =>
  events.map(({ cursor, type, messageId }) => ({ cursor, type, messageId }));
const subscriber = (received: ReceivedEvent[], extra: Partial<SubscriberHistory> = {}): SubscriberHistory => ({
  name: 's',
  after: '0-0',
  received,
  ...extra,
});

describe('the delivery checker', () => {
  it('passes a clean history', () => {
    const report = checkDelivery({
      log: LOG,
      posts: ACKS,
      subscribers: [subscriber(asReceived(LOG)), subscriber(asReceived(LOG.slice(2)), { name: 'late', after: '100-2' })],
    });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.subscribers.map((s) => s.expected)).toEqual([5, 3]);
  });

  it('finds an acknowledged message missing from the log', () => {
    const report = checkDelivery({
      log: LOG,
      posts: [...ACKS, { clientId: 'c9', outcome: 'acknowledged', messageId: 'm9' }],
      subscribers: [],
    });
    expect(report.ok).toBe(false);
    expect(report.acknowledgedMissing).toEqual([{ clientId: 'c9', messageId: 'm9' }]);
  });

  it('finds a clientId logged twice, and one acknowledged as two messages', () => {
    const log = [...LOG, { ...posted(6, 'c2'), messageId: 'm6' }];
    const report = checkDelivery({ log, posts: [...ACKS, { clientId: 'c2', outcome: 'acknowledged', messageId: 'm6' }], subscribers: [] });
    expect(report.logDuplicates).toEqual([{ clientId: 'c2', cursors: ['100-2', '100-6'] }]);
    expect(report.acknowledgedTwice).toEqual([{ clientId: 'c2', messageIds: ['m2', 'm6'] }]);
    expect(report.ok).toBe(false);
  });

  it('allows unknown outcomes either way, but not a logged write that was refused or never attempted', () => {
    const log = [...LOG, posted(6), posted(7), posted(8)];
    const posts: PostAttempt[] = [
      ...ACKS,
      { clientId: 'c6', outcome: 'unknown' },
      { clientId: 'c7', outcome: 'rejected' },
      { clientId: 'lost', outcome: 'unknown' },
    ];
    const report = checkDelivery({ log, posts, subscribers: [] });
    expect(report.indeterminateLogged).toEqual(['c6']);
    expect(report.indeterminateLost).toEqual(['lost']);
    expect(report.logUnexpected.map((u) => u.event.clientId)).toEqual(['c7', 'c8']);
    expect(report.ok).toBe(false);
  });

  it('ignores logged messages without a clientId unless strict', () => {
    const log = [...LOG, posted(6, null)];
    expect(checkDelivery({ log, posts: ACKS, subscribers: [] }).ok).toBe(true);
    expect(checkDelivery({ log, posts: ACKS, subscribers: [], strictLog: true }).logUnexpected).toHaveLength(1);
  });

  it('finds a gap in what a subscriber received', () => {
    const received = asReceived(LOG).filter((e) => e.cursor !== '100-3');
    const report = checkDelivery({ log: LOG, posts: ACKS, subscribers: [subscriber(received)] });
    expect(report.subscribers[0]!.gaps).toEqual(['100-3']);
    expect(report.ok).toBe(false);
  });

  it('finds a missing tail, except for a subscriber that was ended on purpose', () => {
    const received = asReceived(LOG.slice(0, 3));
    expect(checkDelivery({ log: LOG, posts: ACKS, subscribers: [subscriber(received)] }).subscribers[0]!.gaps).toEqual(['100-4', '100-5']);
    expect(checkDelivery({ log: LOG, posts: ACKS, subscribers: [subscriber(received, { expect: 'prefix' })] }).ok).toBe(true);
    const holed = received.filter((e) => e.cursor !== '100-2');
    expect(checkDelivery({ log: LOG, posts: ACKS, subscribers: [subscriber(holed, { expect: 'prefix' })] }).subscribers[0]!.gaps).toEqual([
      '100-2',
    ]);
  });

  it('finds duplicates a subscriber received', () => {
    const all = asReceived(LOG);
    const report = checkDelivery({ log: LOG, posts: ACKS, subscribers: [subscriber([...all.slice(0, 3), all[1]!, ...all.slice(3)])] });
    expect(report.subscribers[0]!.duplicates).toEqual(['100-2']);
    expect(report.subscribers[0]!.gaps).toEqual([]);
    expect(report.ok).toBe(false);
  });

  it('finds events received out of log order', () => {
    const all = asReceived(LOG);
    const report = checkDelivery({ log: LOG, posts: ACKS, subscribers: [subscriber([all[0]!, all[2]!, all[1]!, all[3]!, all[4]!])] });
    expect(report.subscribers[0]!.reordered).toEqual([{ cursor: '100-2', after: '100-3' }]);
    expect(report.ok).toBe(false);
  });

  it('finds unexpected events: not logged, before the window, or not what the log holds there', () => {
    const all = asReceived(LOG);
    const report = checkDelivery({
      log: LOG,
      posts: ACKS,
      subscribers: [
        subscriber([all[0]!, ...all.slice(2), { cursor: '100-9', type: 'MessagePosted', messageId: 'ghost' }], { after: '100-1' }),
        subscriber([{ ...all[0]!, messageId: 'm7' }, ...all.slice(1)], { name: 'mismatch' }),
      ],
    });
    expect(report.subscribers[0]!.unexpected.map((u) => u.event.cursor)).toEqual(['100-1', '100-9']);
    expect(report.subscribers[0]!.gaps).toEqual(['100-2']);
    expect(report.subscribers[1]!.unexpected.map((u) => u.why)).toEqual(['the log has MessagePosted of m1 there']);
    expect(report.problems.length).toBeGreaterThanOrEqual(3);
  });

  it('compares cursors numerically, not as text', () => {
    const log: LoggedEvent[] = [
      { ...posted(9), cursor: '100-9' },
      { ...posted(10), cursor: '100-10' },
    ];
    const posts: PostAttempt[] = [
      { clientId: 'c9', outcome: 'acknowledged', messageId: 'm9' },
      { clientId: 'c10', outcome: 'acknowledged', messageId: 'm10' },
    ];
    const report = checkDelivery({ log, posts, subscribers: [subscriber(asReceived(log), { after: '100-8' })] });
    expect(report.problems).toEqual([]);
    expect(checkDelivery({ log: [...log].reverse(), posts, subscribers: [] }).logDisorder).toEqual(['100-9']);
  });
});

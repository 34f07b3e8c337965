import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { parseSearchQuery } from './query.js';
import { type IndexQuery, type IndexedMessage, type SearchIndex, toPosition } from './searchIndex.js';

/** Opens an empty index (a fresh database or a new memory index) for one test; `close` ends it. */
export type OpenIndex = () => Promise<SearchIndex>;

let n = 0;
/** A message in `room` at a later position than any before it. */
export const message = (roomId: string, body: string, extra: Partial<IndexedMessage> = {}): IndexedMessage => {
  n += 1;
  const id = `${roomId.slice(0, 6)}m${String(n).padStart(5, '0')}`;
  return { id, roomId, authorId: 'author1', body, position: toPosition(`${1_700_000_000_000 + n}-0`, id), public: true, ...extra };
};

const ask = (text: string, extra: Partial<IndexQuery> = {}): IndexQuery => {
  const query = parseSearchQuery(text);
  return {
    include: query.include,
    exclude: query.exclude,
    readable: { rooms: [] },
    only: null,
    authorId: null,
    below: null,
    notBelow: null,
    limit: 50,
    ...extra,
  };
};

/**
 * The search index contract: what the projector and the application rely on, run against both
 * engines (PostgreSQL and memory), so that they find the same messages in the same order.
 */
export const searchIndexContract = (name: string, open: OpenIndex) => {
  describe(`search index contract: ${name}`, () => {
    let index: SearchIndex;
    const opened: SearchIndex[] = [];
    beforeEach(async () => {
      index = await open();
      opened.push(index);
    });
    afterAll(async () => {
      await Promise.all(opened.map((each) => each.close()));
    });

    const put = async (roomId: string, messages: IndexedMessage[], from: string | null = null, to = `${Date.now()}-${n}`) => {
      expect(await index.apply([{ roomId, from, to, changes: messages.map((m) => ({ type: 'put' as const, message: m })) }])).toBe(
        'applied',
      );
      return to;
    };
    const ids = async (query: IndexQuery) => (await index.search(query)).map((hit) => hit.id);

    it('finds by every word, stemmed and folded, newest first', async () => {
      const a = message('roomaaaaaaaa', 'I was running late to the café');
      const b = message('roomaaaaaaaa', 'Runs are fine');
      const c = message('roomaaaaaaaa', 'nothing here');
      await put('roomaaaaaaaa', [a, b, c]);
      expect(await ids(ask('run'))).toEqual([b.id, a.id]);
      expect(await ids(ask('RUNNING cafe'))).toEqual([a.id]);
      expect(await ids(ask('run missing'))).toEqual([]);
      const [hit] = await index.search(ask('nothing'));
      expect(hit).toEqual({ id: c.id, roomId: 'roomaaaaaaaa', position: c.position });
    });

    it('matches phrases in order and leaves out exclusions', async () => {
      const a = message('roomaaaaaaaa', 'the release notes are out');
      const b = message('roomaaaaaaaa', 'notes on the release');
      const c = message('roomaaaaaaaa', 'release notes, on call friday');
      await put('roomaaaaaaaa', [a, b, c]);
      expect(await ids(ask('"release notes"'))).toEqual([c.id, a.id]);
      expect(await ids(ask('"release notes" -friday'))).toEqual([a.id]);
      expect(await ids(ask('release -"on call"'))).toEqual([b.id, a.id]);
    });

    it('finds Chinese and Japanese words without spaces', async () => {
      const a = message('roomaaaaaaaa', '明日は東京都庁へ行きます');
      const b = message('roomaaaaaaaa', '京都は美しい');
      const c = message('roomaaaaaaaa', '我爱北京天安门');
      await put('roomaaaaaaaa', [a, b, c]);
      expect(await ids(ask('東京'))).toEqual([a.id]);
      expect(await ids(ask('京都'))).toEqual([b.id, a.id]);
      expect(await ids(ask('東京都庁'))).toEqual([a.id]);
      expect(await ids(ask('北京'))).toEqual([c.id]);
      expect(await ids(ask('天安门 -东京'))).toEqual([c.id]);
      expect(await ids(ask('京'))).toEqual([c.id, b.id, a.id]);
    });

    it('keeps private rooms to their readers, and narrows by room, author and position', async () => {
      const open1 = message('roomaaaaaaaa', 'deploy today', { authorId: 'alice' });
      const secret = message('roombbbbbbbb', 'deploy secret', { public: false, authorId: 'bob' });
      const open2 = message('roomcccccccc', 'deploy tomorrow', { authorId: 'bob' });
      await put('roomaaaaaaaa', [open1]);
      await put('roombbbbbbbb', [secret]);
      await put('roomcccccccc', [open2]);
      expect(await ids(ask('deploy'))).toEqual([open2.id, open1.id]);
      expect(await ids(ask('deploy', { readable: { rooms: ['roombbbbbbbb'] } }))).toEqual([open2.id, secret.id, open1.id]);
      expect(await ids(ask('deploy', { only: ['roomaaaaaaaa', 'roombbbbbbbb'] }))).toEqual([open1.id]);
      expect(await ids(ask('deploy', { authorId: 'bob', readable: { rooms: ['roombbbbbbbb'] } }))).toEqual([open2.id, secret.id]);
      expect(await ids(ask('deploy', { below: open2.position }))).toEqual([open1.id]);
      expect(await ids(ask('deploy', { notBelow: open2.position }))).toEqual([open2.id]);
      expect(await ids(ask('deploy', { limit: 1 }))).toEqual([open2.id]);
    });

    it('answers filters alone', async () => {
      const a = message('roomaaaaaaaa', 'one', { authorId: 'alice' });
      const b = message('roomaaaaaaaa', 'two', { authorId: 'bob' });
      await put('roomaaaaaaaa', [a, b]);
      expect(await ids(ask('from:x', { authorId: 'alice' }))).toEqual([a.id]);
      expect(await ids(ask('from:x -one', { authorId: 'alice' }))).toEqual([]);
      expect(await ids(ask('in:x', { only: ['roomaaaaaaaa'] }))).toEqual([b.id, a.id]);
    });

    it('edits, deletes, and folds a batch in order', async () => {
      const a = message('roomaaaaaaaa', 'old words');
      const b = message('roomaaaaaaaa', 'short lived');
      const to1 = await put('roomaaaaaaaa', [a, b]);
      const result = await index.apply([
        {
          roomId: 'roomaaaaaaaa',
          from: to1,
          to: `${Date.now() + 1}-0`,
          changes: [
            { type: 'edit', id: a.id, body: 'new words' },
            { type: 'delete', id: b.id },
            { type: 'put', message: message('roomaaaaaaaa', 'born and gone', { id: 'goneeeeee1' }) },
            { type: 'edit', id: 'goneeeeee1', body: 'born and edited' },
            { type: 'delete', id: 'goneeeeee1' },
            { type: 'edit', id: 'unknown123', body: 'an edit of a message never seen' },
          ],
        },
      ]);
      expect(result).toBe('applied');
      expect(await ids(ask('old'))).toEqual([]);
      expect(await ids(ask('new words'))).toEqual([a.id]);
      expect(await ids(ask('lived'))).toEqual([]);
      expect(await ids(ask('born'))).toEqual([]);
      expect(await ids(ask('never seen'))).toEqual([]);
    });

    it('applies a batch only from the position it was read at, all rooms or none', async () => {
      const to = await put('roomaaaaaaaa', [message('roomaaaaaaaa', 'first')]);
      expect(await index.positions(['roomaaaaaaaa', 'roombbbbbbbb'])).toEqual(new Map([['roomaaaaaaaa', to]]));
      const again = await index.apply([
        { roomId: 'roombbbbbbbb', from: null, to: '5-0', changes: [{ type: 'put', message: message('roombbbbbbbb', 'second') }] },
        { roomId: 'roomaaaaaaaa', from: null, to: '6-0', changes: [{ type: 'put', message: message('roomaaaaaaaa', 'third') }] },
      ]);
      expect(again).toBe('moved');
      expect(await ids(ask('second'))).toEqual([]);
      expect(await ids(ask('third'))).toEqual([]);
      expect(await index.positions(['roombbbbbbbb'])).toEqual(new Map());
      expect(await index.apply([{ roomId: 'roomaaaaaaaa', from: '1-0', to: '7-0', changes: [] }])).toBe('moved');
      expect(await index.apply([{ roomId: 'roomaaaaaaaa', from: to, to: '7-0', changes: [] }])).toBe('applied');
      expect((await index.positions(['roomaaaaaaaa'])).get('roomaaaaaaaa')).toBe('7-0');
    });

    it('treats every query text as words, never as syntax of the engine', async () => {
      const a = message('roomaaaaaaaa', "it's a quote ' and a backslash \\ and & | ! <-> :* (parens)");
      await put('roomaaaaaaaa', [a]);
      for (const text of ["'", "it's", '\\', '& | !', '<->', ':*', "'; DROP TABLE search_messages; --", '(parens)', "quote' & 'x"]) {
        await expect(index.search(ask(`${text} quote`))).resolves.toBeDefined();
      }
      expect(await ids(ask("it's"))).toEqual([a.id]);
      expect(await ids(ask('(parens)'))).toEqual([a.id]);
    });
  });
};

import { CombinedError } from '@urql/core';
import { GraphQLError } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ScriptedClient, createScriptedClient } from '../testing/scriptedClient.js';
import { type RoomDirectory, type RoomDirectoryOptions, createRoomDirectory } from './roomDirectory.js';
import type { RoomSummary } from './roomList.js';

const room = (id: string, name: string, onlineCount = 0): RoomSummary => ({ id, name, onlineCount });
/** A RoomDirectory answer: the rooms, whether more follow, and the lobby cursor read with them. */
const directoryPage = (rooms: RoomSummary[], hasNextPage: boolean, lobbyCursor: string | null = '10-0') => ({
  data: {
    lobbyCursor,
    roomDirectory: {
      edges: rooms.map((node) => ({ node })),
      pageInfo: { hasNextPage, endCursor: rooms.length > 0 ? `cursor-${rooms.at(-1)!.id}` : null },
    },
  },
});
const refusal = (code: string, message = code) =>
  new CombinedError({ graphQLErrors: [new GraphQLError(message, { extensions: { code } })] });
const names = (directory: RoomDirectory) => directory.rooms().map((r) => r.name);

/** The room list's data module against a scripted client: the test answers each operation it starts. */
describe('the room directory', () => {
  let directory: RoomDirectory | undefined;
  afterEach(() => {
    directory?.dispose();
    vi.useRealTimers();
  });

  const start = (options: RoomDirectoryOptions = {}): ScriptedClient => {
    const scripted = createScriptedClient();
    directory = createRoomDirectory(scripted.client, { pageSize: 2, ...options });
    return scripted;
  };

  it('reads the first page with the lobby cursor, then follows the lobby from that cursor', async () => {
    const { next, subscriptions, subscribed } = start();
    const first = await next('RoomDirectory');
    expect(first.variables).toEqual({ first: 2, after: null, search: null });
    expect(subscriptions).toHaveLength(0);
    first.answer(directoryPage([room('1', 'alpha'), room('2', 'bravo')], true, '7-0'));
    await subscribed(1);
    expect(subscriptions[0]!.name).toBe('LobbyEvents');
    expect(subscriptions[0]!.variables).toEqual({ after: '7-0' });
    expect(names(directory!)).toEqual(['alpha', 'bravo']);
    expect(directory!.ready()).toBe(true);
    expect(directory!.hasMore()).toBe(true);

    subscriptions[0]!.push({ data: { lobbyEvents: { kind: 'ROOM_CREATED', cursor: '8-0', room: room('3', 'Ant') } } });
    expect(names(directory!)).toEqual(['alpha', 'Ant', 'bravo']);
  });

  it('follows the lobby from its start only when the lobby has never been written to', async () => {
    const { next, subscriptions, subscribed } = start();
    (await next('RoomDirectory')).answer(directoryPage([], false, null));
    await subscribed(1);
    expect(subscriptions[0]!.variables).toEqual({ after: '0-0' });
  });

  it('says why the list could not be read, follows nothing meanwhile, and reads again on request', async () => {
    const { next, subscriptions, subscribed } = start();
    (await next('RoomDirectory')).answer({ error: new CombinedError({ networkError: new TypeError('Failed to fetch') }) });
    await vi.waitFor(() => expect(directory!.error()).toMatch(/cannot be reached/));
    expect(directory!.ready()).toBe(true);
    expect(directory!.hasMore()).toBe(false);
    expect(subscriptions).toHaveLength(0); // never from "0-0" for want of a cursor

    directory!.retry();
    (await next('RoomDirectory')).answer(directoryPage([room('1', 'alpha')], false, '3-0'));
    await subscribed(1);
    expect(subscriptions[0]!.variables).toEqual({ after: '3-0' });
    expect(directory!.error()).toBeNull();
  });

  it('loads the next page after the last one, one at a time', async () => {
    const { next, subscribed } = start();
    (await next('RoomDirectory')).answer(directoryPage([room('1', 'alpha'), room('2', 'bravo')], true));
    await subscribed(1);
    directory!.loadMore();
    directory!.loadMore();
    const more = await next('RoomDirectory');
    expect(more.variables).toEqual({ first: 2, after: 'cursor-2', search: null });
    expect(directory!.loadingMore()).toBe(true);
    more.answer(directoryPage([room('3', 'charlie')], false));
    await vi.waitFor(() => expect(names(directory!)).toEqual(['alpha', 'bravo', 'charlie']));
    expect(directory!.hasMore()).toBe(false);
    directory!.loadMore(); // nothing left
    expect(directory!.loadingMore()).toBe(false);
  });

  it('says why a next page failed, and keeps what it shows', async () => {
    const { next, subscribed } = start();
    (await next('RoomDirectory')).answer(directoryPage([room('1', 'alpha'), room('2', 'bravo')], true));
    await subscribed(1);
    directory!.loadMore();
    (await next('RoomDirectory')).answer({ error: refusal('UNAVAILABLE', 'The event store is unreachable; try again') });
    await vi.waitFor(() => expect(directory!.moreError()).toBe('The event store is unreachable; try again'));
    expect(names(directory!)).toEqual(['alpha', 'bravo']);
    expect(directory!.hasMore()).toBe(true);
  });

  it('reads the first page for a new filter once typing rests, drops answers for older filters, and keeps following', async () => {
    vi.useFakeTimers();
    const { next, requests, subscribed, subscriptions } = start({ searchDelayMs: 250 });
    (await next('RoomDirectory')).answer(directoryPage([room('1', 'alpha'), room('2', 'bravo')], true));
    await subscribed(1);

    directory!.setSearch('ca');
    directory!.setSearch('caf');
    expect(directory!.search()).toBe('caf');
    vi.advanceTimersByTime(249);
    expect(requests).toHaveLength(0);
    vi.advanceTimersByTime(1);
    const forCaf = await next('RoomDirectory');
    expect(forCaf.variables).toEqual({ first: 2, after: null, search: 'caf' });

    directory!.setSearch('café');
    vi.advanceTimersByTime(250);
    const forCafe = await next('RoomDirectory');
    expect(forCafe.variables.search).toBe('café');
    forCafe.answer(directoryPage([room('c1', 'Café')], false));
    forCaf.answer(directoryPage([room('c9', 'Cafeteria'), room('c8', 'Cafe Zero')], true)); // too late: dropped
    await vi.waitFor(() => expect(names(directory!)).toEqual(['Café']));
    expect(directory!.hasMore()).toBe(false);

    directory!.setSearch('CAFE'); // folds as the filter already read: nothing to read
    vi.advanceTimersByTime(250);
    expect(requests).toHaveLength(0);
    expect(subscriptions).toHaveLength(1);
  });

  it('drops a next page of the filter it left, and pages on for the new one', async () => {
    const { next, subscribed } = start({ searchDelayMs: 0 });
    (await next('RoomDirectory')).answer(directoryPage([room('1', 'alpha'), room('2', 'bravo')], true));
    await subscribed(1);
    directory!.loadMore();
    const stale = await next('RoomDirectory');
    directory!.setSearch('e');
    (await next('RoomDirectory')).answer(directoryPage([room('5', 'echo'), room('6', 'delta echo')], true));
    stale.answer(directoryPage([room('3', 'charlie'), room('4', 'delta')], true));
    await vi.waitFor(() => expect(directory!.loadingMore()).toBe(false));
    expect(names(directory!)).toEqual(['delta echo', 'echo']);
    directory!.loadMore();
    const more = await next('RoomDirectory');
    expect(more.variables).toEqual({ first: 2, after: 'cursor-6', search: 'e' });
  });

  it('reads the loaded range again after a reconnect (online counts are not replayed), without shrinking the list', async () => {
    const { next, requests, subscribed, reconnect } = start();
    (await next('RoomDirectory')).answer(directoryPage([room('1', 'alpha'), room('2', 'bravo')], true));
    await subscribed(1);
    directory!.loadMore();
    (await next('RoomDirectory')).answer(directoryPage([room('3', 'charlie'), room('4', 'delta')], true));
    await vi.waitFor(() => expect(names(directory!)).toHaveLength(4));

    reconnect();
    const first = await next('RoomDirectory');
    expect(first.variables).toEqual({ first: 100, after: null, search: null });
    first.answer(directoryPage([room('1', 'alpha', 3), room('2', 'bravo')], true));
    const second = await next('RoomDirectory');
    expect(second.variables).toEqual({ first: 100, after: 'cursor-2', search: null });
    expect(directory!.rooms().map((r) => r.onlineCount)).toEqual([0, 0, 0, 0]); // nothing replaced until the whole range is in
    second.answer(directoryPage([room('3', 'charlie'), room('4', 'delta', 1), room('5', 'echo')], true));
    await vi.waitFor(() => expect(directory!.rooms().map((r) => r.onlineCount)).toEqual([3, 0, 0, 1, 0]));
    expect(requests).toHaveLength(0); // "delta", where the list ended, was reached
    expect(directory!.hasMore()).toBe(true);
  });

  it('starts over when the lobby no longer holds its cursor', async () => {
    const { next, subscribed, subscriptions } = start();
    (await next('RoomDirectory')).answer(directoryPage([room('1', 'alpha')], false, '5-0'));
    await subscribed(1);
    subscriptions[0]!.push({ error: refusal('CURSOR_EXPIRED') });
    (await next('RoomDirectory')).answer(directoryPage([room('1', 'alpha'), room('2', 'bravo')], false, '50-0'));
    await subscribed(2);
    expect(subscriptions[1]!.variables).toEqual({ after: '50-0' });
    expect(names(directory!)).toEqual(['alpha', 'bravo']);
  });

  it('hands a refused session to the page, and says when live updates stopped', async () => {
    const onSessionEnded = vi.fn();
    const { next, subscribed, subscriptions } = start({ onSessionEnded });
    (await next('RoomDirectory')).answer(directoryPage([], false));
    await subscribed(1);
    subscriptions[0]!.push({ error: refusal('UNAUTHENTICATED', 'Sign in first') });
    expect(onSessionEnded).toHaveBeenCalledTimes(1);
    expect(directory!.error()).toBe('Sign in first');
  });

  it('shows a room it created at once, and knows names the lobby announced', async () => {
    const { next, subscribed, subscriptions } = start();
    (await next('RoomDirectory')).answer(directoryPage([room('1', 'alpha')], false));
    await subscribed(1);
    const creating = directory!.createRoom('Zebra');
    const create = await next('CreateRoom');
    expect(create.variables).toEqual({ name: 'Zebra', kind: 'PUBLIC' });
    const zebra = { ...room('9', 'Zebra'), kind: 'PUBLIC', myMembership: 'JOINED', myRole: 'OWNER' };
    create.answer({ data: { createRoom: zebra } });
    await expect(creating).resolves.toEqual(zebra);
    expect(names(directory!)).toEqual(['alpha', 'Zebra']);

    // A private room is the viewer's own, never in the public list.
    const secret = directory!.createRoom('Attic', 'PRIVATE');
    const createPrivate = await next('CreateRoom');
    expect(createPrivate.variables).toEqual({ name: 'Attic', kind: 'PRIVATE' });
    createPrivate.answer({ data: { createRoom: { ...room('10', 'Attic'), kind: 'PRIVATE', myMembership: 'JOINED', myRole: 'OWNER' } } });
    await expect(secret).resolves.toMatchObject({ id: '10', kind: 'PRIVATE' });
    expect(names(directory!)).toEqual(['alpha', 'Zebra']);

    const refused = directory!.createRoom('x'.repeat(101));
    (await next('CreateRoom')).answer({ error: refusal('BAD_USER_INPUT', 'A room name is 1–100 characters') });
    await expect(refused).resolves.toBe('A room name is 1–100 characters');

    subscriptions[0]!.push({ data: { lobbyEvents: { kind: 'ROOM_RENAMED', cursor: '11-0', room: room('1', 'Aardvark') } } });
    expect(directory!.nameOf('1')).toBe('Aardvark');
    expect(directory!.nameOf('unknown')).toBeNull();
  });
});

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Person, type Stack, startStack } from './harness.js';

/**
 * The room list end to end with more rooms than one page: 120 rooms and a "Café", created through
 * GraphQL, listed 50 at a time, by folded name, in a real browser.
 */
describe('the room list, a page at a time', { timeout: 90_000 }, () => {
  let stack: Stack;
  let alice: Person;
  let bob: Person;
  const numbered = Array.from({ length: 120 }, (_, i) => `Room ${String(i + 1).padStart(3, '0')}`);
  /** Directory order: "cafe" folds before "room …". */
  const all = ['Café', ...numbered];
  const ids = new Map<string, string>();

  beforeAll(async () => {
    stack = await startStack();
    alice = await stack.person('alice');
    bob = await stack.person('bob');
    // Out of order, so the list's order is the server's doing.
    for (const name of [...all].reverse()) {
      const data = await stack.gql<{ createRoom: { id: string } }>(
        bob.cookie,
        'mutation($name: String!) { createRoom(name: $name) { id } }',
        { name },
      );
      ids.set(name, data.createRoom.id);
    }
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const createRoom = (person: Person, name: string) =>
    stack.gql<{ createRoom: { id: string } }>(person.cookie, 'mutation($name: String!) { createRoom(name: $name) { id } }', { name });
  const roomLinks = (page: Page, scope = '.rooms-page') => page.locator(`${scope} .room-list a`);
  const shownNames = (page: Page, scope?: string) =>
    roomLinks(page, scope).evaluateAll((links) => links.map((a) => (a as HTMLElement).dataset.roomName));
  /** Waits until the list shows exactly `n` rooms. */
  const waitForCount = (page: Page, n: number, scope?: string) =>
    page.waitForFunction(([selector, count]) => document.querySelectorAll(selector).length === count, [
      `${scope ?? '.rooms-page'} .room-list a`,
      n,
    ] as const);

  it('shows the first page, then the next ones as the end of the list scrolls into view, each room once', async () => {
    const page = alice.page;
    await page.goto('/');
    await waitForCount(page, 50);
    expect(await shownNames(page)).toEqual(all.slice(0, 50));
    await expect(page.locator('.rooms-page .subtle').innerText()).resolves.toMatch(/^50\+ rooms/);

    await page.locator('.rooms-page .load-more').scrollIntoViewIfNeeded();
    await waitForCount(page, 100);
    expect(await shownNames(page)).toEqual(all.slice(0, 100));

    await page.locator('.rooms-page .load-more').scrollIntoViewIfNeeded();
    await waitForCount(page, 121);
    expect(await shownNames(page)).toEqual(all);
    await page.locator('.rooms-page .load-more').waitFor({ state: 'detached' });
    await expect(page.locator('.rooms-page .subtle').innerText()).resolves.toMatch(/^121 rooms · /);
  });

  it('with every loaded room hidden, stops paging by itself after a page that shows nothing, until asked', async () => {
    const dana = await stack.person('dana');
    const page = dana.page;
    let reads = 0;
    page.on('request', (request) => {
      if (
        request.method() === 'POST' &&
        request.url().endsWith('/graphql') &&
        request.postData()?.includes('"operationName":"RoomDirectory"')
      )
        reads++;
    });
    await page.goto('/');
    await waitForCount(page, 50);
    expect(reads).toBe(1);
    await page.getByLabel('Hide empty rooms').check();
    // Nobody has been in a room yet (this runs before the switcher's test): the end of the now empty
    // list is in view, so one more page comes; it shows nothing, and paging stops there.
    await page.waitForFunction(() => {
      const subtitle = document.querySelector('.rooms-page .subtle')?.textContent ?? '';
      return subtitle.startsWith('100+ rooms') && document.querySelector('.rooms-page .load-more button') !== null;
    });
    expect(await roomLinks(page).count()).toBe(0);
    await page.getByRole('button', { name: 'Show more rooms' }).click();
    await page.locator('.rooms-page .empty-note', { hasText: 'Nobody is in any room right now.' }).waitFor();
    expect(reads).toBe(3);
    await expect(page.locator('.rooms-page .subtle').innerText()).resolves.toMatch(/^121 rooms · 0 with people/);
    await dana.context.close();
  });

  it('pages the room switcher beside a room too', async () => {
    const carol = await stack.person('carol');
    await carol.page.goto(`/r/${ids.get('Room 060')}`);
    await carol.page.locator('.room-title', { hasText: 'Room 060' }).waitFor();
    await waitForCount(carol.page, 50, '.room-switcher');
    expect(await carol.page.locator('.room-switcher .room-link.current').count()).toBe(0); // not on the first page
    await carol.page.locator('.room-switcher .load-more').scrollIntoViewIfNeeded();
    await waitForCount(carol.page, 100, '.room-switcher');
    expect(await carol.page.locator('.room-switcher .room-link.current').innerText()).toContain('Room 060');
    await carol.context.close();
  });

  it('narrows the list with the filter box, accents and case aside, and widens it again', async () => {
    const page = alice.page;
    await page.goto('/');
    await waitForCount(page, 50);
    const filter = page.getByRole('searchbox', { name: 'Filter rooms' });

    await filter.fill('cafe');
    await waitForCount(page, 1);
    expect(await shownNames(page)).toEqual(['Café']);

    await filter.fill('ROOM 11');
    await waitForCount(page, 10);
    expect(await shownNames(page)).toEqual(numbered.slice(109, 119));

    await filter.fill('no such room');
    await page.locator('.rooms-page .empty-note', { hasText: 'No room matches “no such room”.' }).waitFor();

    await filter.fill('');
    await waitForCount(page, 50);
    expect(await shownNames(page)).toEqual(all.slice(0, 50));
  });

  it('shows a room another person creates live where the server lists it, and follows renames', async () => {
    const page = alice.page;
    await page.goto('/');
    await waitForCount(page, 50);

    // "Room 999" sorts after the loaded page: it comes with its page, not before. The lobby's events
    // come in log order, so once "Room 025b" (created after it) shows, "Room 999" has been seen.
    await createRoom(bob, 'Room 999');
    await createRoom(bob, 'Room 025b');
    await roomLinks(page).filter({ hasText: 'Room 025b' }).waitFor();
    const names = await shownNames(page);
    expect(names).toEqual([...all.slice(0, 26), 'Room 025b', ...all.slice(26, 50)]);

    await page.locator('.rooms-page .load-more').scrollIntoViewIfNeeded();
    await waitForCount(page, 101);
    await page.locator('.rooms-page .load-more').scrollIntoViewIfNeeded();
    await waitForCount(page, 123);
    expect((await shownNames(page)).filter((n) => n === 'Room 999' || n === 'Room 025b')).toEqual(['Room 025b', 'Room 999']);
    expect((await shownNames(page)).at(-1)).toBe('Room 999');

    // Under a filter: a new room that matches shows, one that does not stays out, and a room
    // renamed so that it no longer matches leaves.
    const filter = page.getByRole('searchbox', { name: 'Filter rooms' });
    await filter.fill('CAFÉ');
    await waitForCount(page, 1);
    await createRoom(bob, 'Tea room');
    await createRoom(bob, 'Cafe Nouveau');
    await roomLinks(page).filter({ hasText: 'Cafe Nouveau' }).waitFor();
    expect(await shownNames(page)).toEqual(['Café', 'Cafe Nouveau']);

    await stack.gql(bob.cookie, 'mutation($id: ID!, $name: String!) { renameRoom(id: $id, name: $name) { id } }', {
      id: ids.get('Café'),
      name: 'Tea house',
    });
    await waitForCount(page, 1);
    expect(await shownNames(page)).toEqual(['Cafe Nouveau']);
  });

  it('renders nothing the page did not expect: no uncaught errors, no dialogs', () => {
    expect([...alice.errors, ...bob.errors]).toEqual([]);
    expect([...alice.dialogs, ...bob.dialogs]).toEqual([]);
  });
});

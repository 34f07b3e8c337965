import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Person, type Stack, artifactsDir, startStack } from './harness.js';

/**
 * Message search, end to end: the header's search field in Chromium against the real server (Redis
 * store, the search projector). The index follows the log asynchronously, so every search here
 * first waits (polling the API, never sleeping) until the server finds what it should.
 */
describe('message search in a real browser', { timeout: 120_000 }, () => {
  let stack: Stack;
  let alice: Person;
  let bob: Person;
  const rooms = { general: '', design: '', plans: '' };
  let zeppelinId = '';

  const createRoom = async (person: Person, name: string, kind: 'PUBLIC' | 'PRIVATE' = 'PUBLIC') => {
    const data = await stack.gql<{ createRoom: { id: string } }>(
      person.cookie,
      'mutation($name: String!, $kind: RoomKind) { createRoom(name: $name, kind: $kind) { id } }',
      { name, kind },
    );
    return data.createRoom.id;
  };
  const post = async (person: Person, roomId: string, body: string) => {
    const data = await stack.gql<{ postMessage: { id: string } }>(
      person.cookie,
      'mutation($roomId: ID!, $body: String!) { postMessage(roomId: $roomId, body: $body) { id } }',
      { roomId, body },
    );
    return data.postMessage.id;
  };
  /** The ids the server finds for `query` as `person` sees it. */
  const found = async (person: Person, query: string) => {
    const data = await stack.gql<{ search: { edges: { node: { id: string } }[] } }>(
      person.cookie,
      'query($query: String!) { search(query: $query, first: 50) { edges { node { id } } } }',
      { query },
    );
    return data.search.edges.map((edge) => edge.node.id);
  };
  /** Waits until the index has caught up with what was posted: `query` finds `count` messages. */
  const indexed = (person: Person, query: string, count: number) =>
    vi.waitFor(async () => expect(await found(person, query)).toHaveLength(count), { timeout: 10_000, interval: 100 });

  const searchField = (page: Page) => page.getByRole('searchbox', { name: 'Search messages' });
  const panel = (page: Page) => page.locator('#search-panel');
  /** Types a query into the open search field and searches with Enter. */
  const searchFor = async (page: Page, query: string) => {
    await searchField(page).fill(query);
    await searchField(page).press('Enter');
  };
  const hitTexts = (page: Page) => panel(page).locator('.search-hit-body').allInnerTexts();

  beforeAll(async () => {
    stack = await startStack();
    alice = await stack.person('alice');
    bob = await stack.person('bob');

    rooms.general = await createRoom(alice, 'general');
    rooms.design = await createRoom(alice, 'design');
    rooms.plans = await createRoom(alice, 'plans', 'PRIVATE');
    await post(alice, rooms.general, 'Good morning everyone');
    await post(alice, rooms.general, 'The palette for the launch is in the design room');
    await post(bob, rooms.general, 'I like the new palette');
    zeppelinId = await post(alice, rooms.design, 'The zeppelin mockups are ready for review 🎈');
    await post(alice, rooms.design, 'Two palette options attached');
    // Enough after it that the room opens on a page without it: the jump loads the pages around it.
    for (let i = 0; i < 60; i++) await post(alice, rooms.design, `design note ${i}`);
    await post(alice, rooms.plans, 'The secret codeword is marzipan');

    // The index has caught up once alice finds the last posts (the private one is hers to find).
    await indexed(alice, 'marzipan', 1);
    await indexed(alice, 'zeppelin', 1);
    await indexed(alice, 'palette', 3);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('opens with "/", finds a word from another room grouped under it, and jumps there to the message, marked', async () => {
    const page = bob.page;
    await page.goto(`/r/${rooms.general}`);
    await page.locator('.room-title', { hasText: 'general' }).waitFor();
    await page.locator('.timeline .message').first().waitFor();

    // "/" opens search when focus is not in a text field (the timeline has it here).
    await page.locator('.timeline-scroller').focus();
    await page.keyboard.press('/');
    await expect.poll(() => searchField(page).evaluate((el) => el === document.activeElement)).toBe(true);
    await expect(panel(page).isVisible()).resolves.toBe(true);
    await page.keyboard.type('zeppelin');
    await page.keyboard.press('Enter');

    const group = panel(page)
      .locator('.search-group')
      .filter({ has: page.getByRole('heading', { name: 'design', exact: true }) });
    await group.locator('.search-hit').first().waitFor();
    await expect(panel(page).locator('.search-group').count()).resolves.toBe(1);
    await expect(group.locator('.search-hit').count()).resolves.toBe(1);
    await expect(group.locator('.search-hit mark').allInnerTexts()).resolves.toEqual(['zeppelin']);
    await expect(group.locator('.search-hit-body').innerText()).resolves.toBe('The zeppelin mockups are ready for review 🎈');
    await expect(group.locator('.search-hit .author-name').innerText()).resolves.toBe('alice');
    await expect(panel(page).getByRole('status').innerText()).resolves.toBe('1 message in 1 room');
    await page.screenshot({ path: `${artifactsDir}search-results.png` });

    await group.locator('.search-hit').click();
    await page.waitForURL(`**/r/${rooms.design}`);
    await page.locator('.room-title', { hasText: 'design' }).waitFor();
    const message = page.locator(`.timeline .message.highlighted[data-message-id="${zeppelinId}"]`);
    await message.waitFor();
    await expect(panel(page).isHidden()).resolves.toBe(true);
    // On screen in the timeline, not merely in the page.
    const onScreen = () =>
      message.evaluate((el) => {
        const view = el.closest('.timeline-scroller')!.getBoundingClientRect();
        const box = el.getBoundingClientRect();
        return box.top >= view.top && box.bottom <= view.bottom;
      });
    await expect.poll(onScreen).toBe(true);
    await page.screenshot({ path: `${artifactsDir}search-jumped.png` });
    expect(bob.errors).toEqual([]);
  });

  it('shows from: as a chip, removing it searches again, and a result’s author adds one; Escape closes', async () => {
    const page = bob.page;
    await page.goto(`/r/${rooms.general}`);
    await page.locator('.timeline .message').first().waitFor();

    // Ctrl+K works from inside the composer too.
    await page.getByLabel(/^Message #/).focus();
    await page.keyboard.press('Control+k');
    await expect.poll(() => searchField(page).evaluate((el) => el === document.activeElement)).toBe(true);
    await searchFor(page, 'palette from:alice');

    const chip = panel(page).locator('.filter-chip', { hasText: '@alice' });
    await chip.waitFor();
    await expect(chip.innerText()).resolves.toMatch(/from:\s*@alice/);
    await expect.poll(() => hitTexts(page)).toEqual(['Two palette options attached', 'The palette for the launch is in the design room']);
    // Newest first across rooms: design's result came last, so its group leads.
    await expect(
      panel(page)
        .locator('.search-group')
        .evaluateAll((groups) => groups.map((g) => g.getAttribute('data-room-id'))),
    ).resolves.toEqual([rooms.design, rooms.general]);

    await chip.getByRole('button', { name: 'Remove filter from:alice' }).click();
    await expect.poll(() => searchField(page).inputValue()).toBe('palette');
    await expect
      .poll(() => hitTexts(page))
      .toEqual(['Two palette options attached', 'I like the new palette', 'The palette for the launch is in the design room']);
    await expect(panel(page).locator('.filter-chip').count()).resolves.toBe(0);

    // A result's author makes a from: chip.
    const bobs = panel(page).locator('.search-item', { hasText: 'I like the new palette' });
    await bobs.hover();
    await bobs.getByRole('button', { name: 'Search only messages from @bob' }).click();
    await expect.poll(() => searchField(page).inputValue()).toBe('palette from:bob');
    await expect.poll(() => hitTexts(page)).toEqual(['I like the new palette']);
    await panel(page).locator('.filter-chip', { hasText: '@bob' }).waitFor();

    // Arrow keys move through the results; Escape closes and gives focus back.
    await searchFor(page, 'palette');
    await expect.poll(() => hitTexts(page).then((texts) => texts.length)).toBe(3);
    await page.keyboard.press('ArrowDown');
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.closest('.search-item')?.textContent ?? ''))
      .toContain('Two palette options attached');
    await page.keyboard.press('ArrowDown');
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.closest('.search-item')?.textContent ?? ''))
      .toContain('I like the new palette');
    await page.keyboard.press('Escape');
    await expect.poll(() => panel(page).isHidden()).toBe(true);
    await expect(page.getByLabel(/^Message #/).evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    expect(bob.errors).toEqual([]);
  });

  it('loads more results a page at a time, and opens one with the keyboard', async () => {
    const page = bob.page;
    await page.goto(`/r/${rooms.general}`);
    await page.locator('.timeline .message').first().waitFor();
    await page.keyboard.press('Control+k');
    await searchFor(page, 'note');
    const status = panel(page).getByRole('status');
    await expect.poll(() => status.innerText()).toBe('20 messages in 1 room, more to load');
    await expect(hitTexts(page).then((texts) => texts.slice(0, 2))).resolves.toEqual(['design note 59', 'design note 58']);

    await panel(page).getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => status.innerText()).toBe('40 messages in 1 room, more to load');
    await panel(page).getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => status.innerText()).toBe('60 messages in 1 room');
    await expect(panel(page).getByRole('button', { name: 'Load more' }).count()).resolves.toBe(0);
    const texts = await hitTexts(page);
    expect(new Set(texts).size).toBe(60);
    expect(texts.at(-1)).toBe('design note 0');

    // From the field, ArrowDown reaches the first result and Enter opens it.
    await searchField(page).focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/r/${rooms.design}`);
    await page
      .locator('.timeline .message.highlighted')
      .filter({ has: page.locator('.message-body', { hasText: /^design note 59$/ }) })
      .waitFor();
    expect(bob.errors).toEqual([]);
  });

  it('never finds what is said in a private room bob is not in, and shows why a query cannot be read', async () => {
    const page = bob.page;
    await page.goto('/');
    await page.getByRole('heading', { name: 'Rooms' }).waitFor();
    // Alice finds it (the index has it: see beforeAll); bob does not.
    await expect(found(alice, 'marzipan')).resolves.toHaveLength(1);
    await expect(found(bob, 'marzipan')).resolves.toEqual([]);

    await page.keyboard.press('/');
    await searchFor(page, 'marzipan');
    await expect.poll(() => panel(page).getByRole('status').innerText()).toBe('No messages match');
    await expect(panel(page).locator('.search-hit').count()).resolves.toBe(0);
    await expect(panel(page).innerText()).resolves.not.toContain('codeword');

    // Only exclusions: the server's BAD_USER_INPUT message, inline.
    await searchFor(page, '-palette');
    const error = panel(page).locator('.search-error');
    await error.waitFor();
    await expect(error.innerText()).resolves.not.toBe('');
    await expect(error.getAttribute('role')).resolves.toBe('alert');
    await page.screenshot({ path: `${artifactsDir}search-error.png` });
    expect(bob.errors).toEqual([]);
  });
});

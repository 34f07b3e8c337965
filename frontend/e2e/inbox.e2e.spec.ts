import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Person, type Stack, artifactsDir, finalMessage, startStack } from './harness.js';

/** What the stubbed Notification constructor recorded in a page. */
interface Shown {
  title: string;
  body: string;
  tag: string;
}

declare global {
  interface Window {
    __shown: Shown[];
    /** Shown by any page of the context (each page tells the others). */
    __shownAnywhere: Shown[];
    __setHidden(hidden: boolean): void;
  }
}

/**
 * Before any script of the page: a `Notification` that records what it is asked to show (the real
 * one's permission, which the context grants, still decides), and a tab whose visibility the test
 * sets (`window.__setHidden`), as a browser would when the tab goes to the background.
 */
const watchNotifications = (context: BrowserContext) =>
  context.addInitScript(() => {
    let hidden = false;
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    window.__setHidden = (value) => {
      hidden = value;
      document.dispatchEvent(new Event('visibilitychange'));
    };
    const Real = window.Notification;
    window.__shown = [];
    window.__shownAnywhere = [];
    const channel = new BroadcastChannel('test-notifications');
    channel.onmessage = (event) => window.__shownAnywhere.push(event.data as Shown);
    class RecordingNotification {
      static get permission() {
        return Real.permission;
      }
      static requestPermission() {
        return Real.requestPermission();
      }
      onclick: (() => void) | null = null;
      constructor(title: string, options: NotificationOptions = {}) {
        const shown = { title, body: options.body ?? '', tag: options.tag ?? '' };
        window.__shown.push(shown);
        window.__shownAnywhere.push(shown);
        channel.postMessage(shown);
      }
      close() {}
    }
    Object.defineProperty(window, 'Notification', { configurable: true, value: RecordingNotification });
  });

const shownIn = (page: Page) => page.evaluate(() => window.__shown);
const setHidden = (page: Page, hidden: boolean) => page.evaluate((value) => window.__setHidden(value), hidden);

/**
 * "Where was I", end to end: unread and mention badges in the sidebar, the "new messages" divider,
 * the tab title, desktop notifications while hidden, and reading on one device clearing the badge
 * on another.
 */
describe('read markers, unread badges and notifications in a real browser', { timeout: 120_000 }, () => {
  let stack: Stack;
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    stack = await startStack();
    alice = await stack.person('alice');
    bob = await stack.person('bob');
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const createRoom = async (person: Person, name: string) =>
    (
      await stack.gql<{ createRoom: { id: string } }>(person.cookie, 'mutation($name: String!) { createRoom(name: $name) { id } }', {
        name,
      })
    ).createRoom.id;
  const join = (person: Person, roomId: string) =>
    stack.gql(person.cookie, 'mutation($roomId: ID!) { joinRoom(roomId: $roomId) { id } }', { roomId });
  const post = async (person: Person, roomId: string, body: string) =>
    (
      await stack.gql<{ postMessage: { id: string } }>(
        person.cookie,
        'mutation($roomId: ID!, $body: String!) { postMessage(roomId: $roomId, body: $body) { id } }',
        { roomId, body },
      )
    ).postMessage.id;
  const openDirect = async (person: Person, handle: string) =>
    (
      await stack.gql<{ openDirect: { id: string } }>(person.cookie, 'mutation($h: [String!]!) { openDirect(handles: $h) { id } }', {
        h: [handle],
      })
    ).openDirect.id;

  /** A room of the person's own in the lobby's list. */
  const listed = (page: Page, name: string) => page.locator(`.yours .my-room-list a[data-room-name="${name}"]`);

  let porchId: string;

  it('badges a room live with unread messages, and its mentions with a badge of their own', async () => {
    porchId = await createRoom(alice, 'Porch');
    await join(bob, porchId);
    await post(bob, porchId, 'I was here');
    await bob.page.goto('/');
    const porch = listed(bob.page, 'Porch');
    await porch.waitFor();
    expect(await porch.locator('.unread-badge, .mention-badge').count()).toBe(0);

    // Posted while Bob looks at the list: the inbox brings the counts, no reload.
    await post(alice, porchId, 'the paint is dry');
    await post(alice, porchId, 'and the chairs are out');
    await post(alice, porchId, '@BOB bring the lemonade');
    await porch.locator('.unread-badge', { hasText: '3' }).waitFor();
    await porch.locator('.mention-badge', { hasText: '@1' }).waitFor();
    // A mention stands out from a plain unread count.
    const look = (selector: string) => porch.locator(selector).evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await look('.mention-badge')).not.toBe(await look('.unread-badge'));
    // The tab says how much is unread in all.
    await bob.page.waitForFunction(() => document.title === '(3) Rooms · Balloons');
    // Nothing of Alice's own.
    await alice.page.goto('/');
    await listed(alice.page, 'Porch').waitFor();
    expect(await listed(alice.page, 'Porch').locator('.unread-badge, .mention-badge').count()).toBe(0);
    await bob.page.screenshot({ path: `${artifactsDir}inbox-badges.png` });
  });

  it('opens at the old marker with a "new messages" divider, then marks the room read', async () => {
    await listed(bob.page, 'Porch').click();
    await finalMessage(bob.page, '@BOB bring the lemonade').waitFor();
    // The divider sits right above the first message Bob had not read.
    const divider = bob.page.locator('.timeline .new-divider');
    await divider.waitFor();
    expect(await divider.evaluate((el) => el.nextElementSibling?.querySelector('.message-body')?.textContent)).toBe('the paint is dry');
    expect(await bob.page.locator('.timeline .new-divider').count()).toBe(1);

    // The newest message is on screen and the tab visible: read, so the badges go and the title is plain.
    const switcher = bob.page.locator('.room-switcher .my-room-list a[data-room-name="Porch"]');
    await switcher.waitFor();
    // Both badges may still be there: waitFor on a locator of two elements fails at once (strict mode) instead of waiting.
    await expect.poll(() => switcher.locator('.unread-badge, .mention-badge').count()).toBe(0);
    await bob.page.waitForFunction(() => document.title === 'Porch · Balloons');
    await bob.page.screenshot({ path: `${artifactsDir}inbox-divider.png` });

    // The marker moved on the server: opened again, the room has no divider, and nothing is unread.
    await bob.page.reload();
    await finalMessage(bob.page, '@BOB bring the lemonade').waitFor();
    expect(await bob.page.locator('.timeline .new-divider').count()).toBe(0);
    const { room } = await stack.gql<{ room: { unreadCount: number; mentionCount: number } }>(
      bob.cookie,
      'query($id: ID!) { room(id: $id) { unreadCount mentionCount } }',
      { id: porchId },
    );
    expect(room).toEqual({ unreadCount: 0, mentionCount: 0 });
  });

  it('opens a long unread stretch at the divider, and marks it read only once the reader reaches the end', async () => {
    const atticId = await createRoom(alice, 'Attic');
    await join(bob, atticId);
    await post(bob, atticId, 'anyone up there?');
    for (let i = 1; i <= 40; i++) await post(alice, atticId, `box ${i}`);
    await bob.page.goto(`/r/${atticId}`);
    await finalMessage(bob.page, 'box 40').waitFor({ state: 'attached' });
    const divider = bob.page.locator('.timeline .new-divider');
    await divider.waitFor();
    // The divider is in view, the newest message is not: Bob starts where he left off.
    const inView = (selector: string) =>
      bob.page.locator(selector).evaluate((el) => {
        const box = el.getBoundingClientRect();
        const view = el.closest('.timeline-scroller')!.getBoundingClientRect();
        return box.bottom > view.top && box.top < view.bottom;
      });
    expect(await inView('.timeline .new-divider')).toBe(true);
    expect(
      await finalMessage(bob.page, 'box 40').evaluate((el) => {
        const view = el.closest('.timeline-scroller')!.getBoundingClientRect();
        return el.getBoundingClientRect().top < view.bottom;
      }),
    ).toBe(false);
    const attic = bob.page.locator('.room-switcher .my-room-list a[data-room-name="Attic"]');
    await attic.locator('.unread-badge', { hasText: '40' }).waitFor();

    await bob.page.locator('.jump-to-end').click();
    await attic.locator('.unread-badge').waitFor({ state: 'detached' });
  });

  it('clears the badge on another device within a second of reading on one', async () => {
    await bob.page.goto('/');
    const porch = listed(bob.page, 'Porch');
    await porch.waitFor();
    await post(alice, porchId, '@bob the lemonade is warm');
    await porch.locator('.mention-badge', { hasText: '@1' }).waitFor();
    await bob.page.waitForFunction(() => document.title === '(1) Rooms · Balloons');

    // Bob's phone: another sign-in, another browser.
    const phone = await stack.person('bob', { viewport: { width: 390, height: 780 } });
    await phone.page.goto(`/r/${porchId}`);
    await finalMessage(phone.page, '@bob the lemonade is warm').waitFor();
    // Read there: the laptop's badge goes by the inbox's READ event.
    await porch.locator('.unread-badge, .mention-badge').first().waitFor({ state: 'detached', timeout: 1_000 });
    await bob.page.waitForFunction(() => document.title === 'Rooms · Balloons', undefined, { timeout: 1_000 });
    expect(phone.errors).toEqual([]);
    await phone.context.close();
  });

  it('notifies a mention or a direct message while the tab is hidden, once across two tabs, never for your own', async () => {
    const carol = await stack.person('carol');
    await carol.context.grantPermissions(['notifications']);
    await watchNotifications(carol.context);
    const dmId = await openDirect(alice, 'carol');
    const first = carol.page;
    const second = await carol.context.newPage();
    for (const page of [first, second]) {
      await page.goto(`/r/${dmId}`);
      await page.locator('.timeline-top .room-start').waitFor();
      // The browser was asked already (granted): no button to ask again.
      expect(await page.getByRole('button', { name: 'Turn on notifications' }).count()).toBe(0);
    }
    // The conversation is listed under the other person's name, with their avatar.
    await first.locator('.room-switcher .my-room-list a[data-kind="DIRECT"][data-room-name="alice"] .avatar').waitFor();

    // Visible: nothing to notify.
    await post(alice, dmId, 'are you there?');
    for (const page of [first, second]) await finalMessage(page, 'are you there?').waitFor();

    for (const page of [first, second]) await setHidden(page, true);
    await post(carol, dmId, 'my own words');
    const id = await post(alice, dmId, 'lunch at noon?');
    for (const page of [first, second]) await finalMessage(page, 'lunch at noon?').waitFor();
    // Each tab asked for the message's claim as its event came, before showing it; one of them shows it.
    await first.waitForFunction(() => window.__shownAnywhere.length > 0);
    // A round trip to the lock manager from each tab, after its own request: both decisions are in.
    for (const page of [first, second]) await page.evaluate(() => navigator.locks.query());
    const shown = [...(await shownIn(first)), ...(await shownIn(second))];
    expect(shown).toEqual([{ title: 'alice', body: 'lunch at noon?', tag: id }]);

    // Hidden, the tab's title counts it; seen again, the title is plain and the room is read.
    await first.waitForFunction(() => document.title.startsWith('(1) '));
    await setHidden(first, false);
    await first.waitForFunction(() => document.title === 'alice · Balloons');
    await carol.context.close();
  });

  it('notifies a mention in a room that is not open, from the inbox, while the tab is hidden', async () => {
    const erin = await stack.person('erin');
    await erin.context.grantPermissions(['notifications']);
    await watchNotifications(erin.context);
    const yardId = await createRoom(alice, 'Yard');
    await join(erin, yardId);
    await erin.page.goto('/');
    await listed(erin.page, 'Yard').waitFor();
    await setHidden(erin.page, true);

    await post(alice, yardId, 'nothing for erin here');
    await listed(erin.page, 'Yard').locator('.unread-badge', { hasText: '1' }).waitFor();
    const id = await post(alice, yardId, 'hey @erin, the gate is open');
    await erin.page.waitForFunction(() => window.__shown.length > 0);
    expect(await shownIn(erin.page)).toEqual([{ title: 'alice in #Yard', body: 'hey @erin, the gate is open', tag: id }]);
    await erin.context.close();
  });

  it('asks for permission only from the button, never on load', async () => {
    const dana = await stack.person('dana');
    await dana.page.goto('/');
    const button = dana.page.getByRole('button', { name: 'Turn on notifications' });
    await button.waitFor();
    expect(await dana.page.evaluate(() => Notification.permission)).toBe('default');
    await dana.context.grantPermissions(['notifications']);
    await button.click();
    await button.waitFor({ state: 'detached' });
    await dana.context.close();
  });

  it('renders nothing the page did not expect: no uncaught errors, no dialogs', () => {
    expect([...alice.errors, ...bob.errors]).toEqual([]);
    expect([...alice.dialogs, ...bob.dialogs]).toEqual([]);
  });
});

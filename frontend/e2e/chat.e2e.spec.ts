import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Person,
  type Stack,
  artifactsDir,
  finalMessage,
  messageTexts,
  messages,
  openRoomFromList,
  send,
  startStack,
} from './harness.js';

/**
 * The web UI end to end: the built UI served by the real server (Redis store) on a free port,
 * driven in Debian's Chromium by playwright-core. People are separate browser contexts.
 */
describe('the web UI in a real browser', { timeout: 90_000 }, () => {
  let stack: Stack;
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    stack = await startStack();
    alice = await stack.person('alice', { viaUi: true });
    bob = await stack.person('bob', { viaUi: true });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const createRoomThroughUi = async (person: Person, name: string) => {
    await person.page.goto('/');
    await person.page.getByLabel('Create or join a room').fill(name);
    await person.page.getByRole('button', { name: 'Go' }).click();
    await person.page.locator('.room-title', { hasText: name }).waitFor();
    await person.page.locator('.timeline-top .room-start').waitFor();
    const match = /\/r\/([^/]+)$/.exec(new URL(person.page.url()).pathname);
    if (!match) throw new Error(`not in a room: ${person.page.url()}`);
    return decodeURIComponent(match[1]!);
  };

  const postDirectly = async (person: Person, roomId: string, body: string) =>
    stack.gql(person.cookie, 'mutation($roomId: ID!, $body: String!) { postMessage(roomId: $roomId, body: $body) { id } }', {
      roomId,
      body,
    });

  it('signs two people in, lists a new room live, and they exchange messages that each sees live', async () => {
    await bob.page.goto('/');
    await bob.page.getByRole('heading', { name: 'Rooms' }).waitFor();
    const roomId = await createRoomThroughUi(alice, 'Garden');
    expect(alice.page.url()).toBe(`${stack.url}/r/${roomId}`);

    // Bob's room list learns of the room through lobbyEvents, without a reload.
    const link = bob.page.locator('.room-list a', { hasText: 'Garden' });
    await link.waitFor();
    await link.click();
    await bob.page.locator('.room-title', { hasText: 'Garden' }).waitFor();
    await bob.page.locator('.timeline-top .room-start').waitFor();

    await send(alice.page, 'hi bob :)');
    // Pending first or straight to final: either way it ends final, once.
    await finalMessage(alice.page, 'hi bob 🙂').waitFor();
    await finalMessage(bob.page, 'hi bob 🙂').waitFor();
    await expect(bob.page.locator('.message .emoji[aria-label="slightly smiling face"]').count()).resolves.toBe(1);

    // Shift+Enter makes a new line, Enter sends.
    const composer = bob.page.getByLabel('Message #Garden');
    await composer.fill('hello alice');
    await composer.press('Shift+Enter');
    await composer.pressSequentially('second line');
    await composer.press('Enter');
    await finalMessage(alice.page, 'hello alice\nsecond line').waitFor();
    await expect(composer.inputValue()).resolves.toBe('');

    expect(await messageTexts(alice.page)).toEqual(['hi bob 🙂', 'hello alice\nsecond line']);
    expect(await messageTexts(bob.page)).toEqual(['hi bob 🙂', 'hello alice\nsecond line']);
    // Both are in the URL the page shows, so the link can be shared.
    await bob.page.reload();
    await finalMessage(bob.page, 'hi bob 🙂').waitFor();
  });

  it('edits and deletes your own message; the other person sees both, and a tombstone stays', async () => {
    const roomId = await createRoomThroughUi(alice, 'Edits');
    await bob.page.goto(`/r/${roomId}`);
    await bob.page.locator('.timeline-top .room-start').waitFor();

    await send(alice.page, 'the meeting is at 3');
    const mine = finalMessage(alice.page, 'the meeting is at 3');
    await mine.waitFor();
    await finalMessage(bob.page, 'the meeting is at 3').waitFor();
    // Only the author gets the actions.
    await bob.page.locator('.message').first().hover();
    await expect(bob.page.getByRole('button', { name: 'Edit message' }).count()).resolves.toBe(0);

    await mine.hover();
    await mine.getByRole('button', { name: 'Edit message' }).click();
    const editor = alice.page.getByLabel('Edit message');
    await editor.fill('the meeting is at 4');
    await editor.press('Enter');
    const edited = bob.page.locator('.message', { hasText: 'the meeting is at 4' });
    await edited.locator('.edited').waitFor();
    await expect(messageTexts(bob.page)).resolves.toEqual(['the meeting is at 4 (edited)']);

    const again = alice.page.locator('.message', { hasText: 'the meeting is at 4' });
    await again.hover();
    await again.getByRole('button', { name: 'Delete message' }).click();
    await again.getByRole('button', { name: 'Delete', exact: true }).click();
    await bob.page.locator('.message.deleted .tombstone', { hasText: 'message deleted' }).waitFor();
    await alice.page.locator('.message.deleted .tombstone').waitFor();
    await expect(bob.page.locator('.timeline').innerText()).resolves.not.toContain('meeting');

    // The tombstone is part of history.
    await bob.page.reload();
    await bob.page.locator('.message.deleted .tombstone', { hasText: 'message deleted' }).waitFor();
  });

  it('keeps history across a reload, and loads older messages when scrolling up without losing the place', async () => {
    const roomId = await createRoomThroughUi(alice, 'History');
    for (let i = 1; i <= 70; i++) await postDirectly(alice, roomId, `m${i}`);
    await bob.page.goto(`/r/${roomId}`);
    await finalMessage(bob.page, 'm70').waitFor();
    // The last 50 on entry.
    expect(await messageTexts(bob.page)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i + 21}`));

    await bob.page.reload();
    await finalMessage(bob.page, 'm70').waitFor();
    expect(await messages(bob.page).count()).toBe(50);

    // Scroll to the top: the older 20 load above, and m21 stays where the reader left it.
    const scroller = bob.page.locator('.timeline-scroller');
    const m21 = finalMessage(bob.page, 'm21');
    // Measured in the same task as the scroll, before the page can react to it.
    const before = await scroller.evaluate((el) => {
      el.scrollTop = 0;
      return el.querySelector('[data-status="final"]')!.getBoundingClientRect().top;
    });
    await finalMessage(bob.page, 'm1').waitFor({ state: 'attached' });
    await bob.page.locator('.timeline-top .room-start').waitFor();
    expect(await messageTexts(bob.page)).toEqual(Array.from({ length: 70 }, (_, i) => `m${i + 1}`));
    const after = await m21.evaluate((el) => el.getBoundingClientRect().top);
    expect(Math.abs(after - before)).toBeLessThan(40);
    expect(await scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(100);
  });

  it('shows markup as text, links only http(s) URLs safely, and highlights mentions', async () => {
    const roomId = await createRoomThroughUi(alice, 'Safety');
    await bob.page.goto(`/r/${roomId}`);
    await bob.page.locator('.timeline-top .room-start').waitFor();

    const attack = '<img src=x onerror=alert(1)>';
    await send(alice.page, attack);
    await send(alice.page, 'docs at https://example.com/a?b=1 and javascript:alert(2) for @bob <3');
    await finalMessage(bob.page, attack).waitFor();
    await bob.page.locator('.message a[href="https://example.com/a?b=1"]').waitFor();

    expect(await bob.page.locator('.timeline img').count()).toBe(0);
    const link = bob.page.locator('.message a[href="https://example.com/a?b=1"]');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer nofollow ugc');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await bob.page.locator('.timeline a[href^="javascript:"]').count()).toBe(0);
    expect(await bob.page.locator('.message .mention.mention-me', { hasText: '@bob' }).count()).toBe(1);
    expect(await bob.page.locator('.message.mentioned').count()).toBe(1);
    expect(await bob.page.locator('.message .emoji[aria-label="red heart"]').count()).toBe(1);
    expect(bob.dialogs).toEqual([]);
    expect(alice.dialogs).toEqual([]);
  });

  it('goes offline, shows the banner, then shows exactly the 20 messages posted meanwhile, in order, once; its own outbox is sent once', async () => {
    const roomId = await createRoomThroughUi(alice, 'Offline');
    await bob.page.goto(`/r/${roomId}`);
    await bob.page.locator('.timeline-top .room-start').waitFor();
    await send(alice.page, 'before');
    await finalMessage(bob.page, 'before').waitFor();

    await bob.context.setOffline(true);
    await bob.page.locator('.connection-banner.offline').waitFor();

    const sent = Array.from({ length: 20 }, (_, i) => `while you were away ${i + 1}`);
    for (const text of sent) await send(alice.page, text);
    await finalMessage(alice.page, sent.at(-1)!).waitFor();

    // Bob writes while offline: it waits in the outbox.
    await send(bob.page, 'written offline');
    await bob.page
      .locator('.message.pending', { hasText: 'written offline' })
      .locator('.pending-status', { hasText: 'Waiting for the connection' })
      .waitFor();
    expect(await messageTexts(bob.page)).toEqual(['before', 'written offline']);

    await bob.context.setOffline(false);
    await finalMessage(bob.page, sent.at(-1)!).waitFor();
    await finalMessage(bob.page, 'written offline').waitFor();
    await finalMessage(alice.page, 'written offline').waitFor();
    await bob.page.locator('.connection-banner').waitFor({ state: 'detached' });

    // Events arrive in log order, so a duplicate of any of them would come before this one.
    await send(alice.page, 'sentinel');
    await finalMessage(bob.page, 'sentinel').waitFor();
    const shown = await messageTexts(bob.page);
    expect(shown.filter((t) => t !== 'written offline')).toEqual(['before', ...sent, 'sentinel']);
    expect(shown.filter((t) => t === 'written offline')).toHaveLength(1);
    expect((await messageTexts(alice.page)).filter((t) => t === 'written offline')).toHaveLength(1);
    expect(await bob.page.locator('.message.pending').count()).toBe(0);
  });

  it('counts unseen messages in the title while the tab is hidden, and clears it when seen', async () => {
    const roomId = await createRoomThroughUi(alice, 'Attention');
    await bob.page.goto(`/r/${roomId}`);
    await bob.page.locator('.timeline-top .room-start').waitFor();
    await bob.page.waitForFunction(() => document.title === 'Attention · Balloons');

    const setHidden = (hidden: boolean) =>
      bob.page.evaluate((value) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (value ? 'hidden' : 'visible') });
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);

    await setHidden(true);
    for (const text of ['one', 'two', 'three']) await send(alice.page, text);
    await bob.page.waitForFunction(() => document.title === '(3) Attention · Balloons');
    await setHidden(false);
    await bob.page.waitForFunction(() => document.title === 'Attention · Balloons');
  });

  // These need the server's presence (online lists, UserJoined/Left, UserTyping, status events, online counts).
  describe('presence', () => {
    it('lists who is online with their status, notices joins and status changes, and counts people in the room list', async () => {
      const roomId = await createRoomThroughUi(alice, 'Presence');
      await bob.page.goto('/');
      await openRoomFromList(bob.page, 'Presence');
      expect(new URL(bob.page.url()).pathname).toBe(`/r/${roomId}`);

      const people = (p: Person) => p.page.locator('#room-people .person');
      await alice.page.locator('.notice', { hasText: 'bob joined' }).waitFor();
      await people(alice).filter({ hasText: 'bob' }).waitFor();
      await people(bob).filter({ hasText: 'alice' }).waitFor();
      expect(await people(bob).count()).toBe(2);

      // The status picker in the header; Bob sees it live in the list and in the timeline.
      await alice.page.getByLabel('Your status').selectOption('AWAY');
      await bob.page.locator('#room-people .person[data-handle="alice"][data-status="AWAY"]').waitFor();
      await bob.page.locator('.notice', { hasText: 'alice is now away' }).waitFor();
      await alice.page.getByLabel('Your status').selectOption('AVAILABLE');
      await bob.page.locator('#room-people .person[data-handle="alice"][data-status="AVAILABLE"]').waitFor();

      // The room list counts both, live.
      const carol = await stack.person('carol');
      await carol.page.goto('/');
      const count = carol.page.locator('.room-link', { hasText: 'Presence' }).locator('.online-count');
      await count.filter({ hasText: '2' }).waitFor();

      // Bob leaves: Alice is told, and the count drops.
      await bob.page.goto('/');
      await alice.page.locator('.notice', { hasText: 'bob left' }).waitFor({ timeout: 30_000 });
      await count.filter({ hasText: '1' }).waitFor({ timeout: 30_000 });

      // Hide empty rooms: "Presence" has Alice, "Garden" nobody.
      await carol.page.getByLabel('Hide empty rooms').check();
      await carol.page.locator('.room-link', { hasText: 'Presence' }).waitFor();
      expect(await carol.page.locator('.room-link', { hasText: 'Garden' }).count()).toBe(0);
      await carol.page.getByLabel('Hide empty rooms').uncheck();
      await carol.page.locator('.room-link', { hasText: 'Garden' }).waitFor();

      await carol.context.close();
    });

    it('shows "alice is typing…" to the others, and it goes away on its own', async () => {
      const roomId = await createRoomThroughUi(alice, 'Typing');
      await bob.page.goto(`/r/${roomId}`);
      await bob.page.locator('.timeline-top .room-start').waitFor();

      await alice.page.getByLabel('Message #Typing').pressSequentially('I am writing', { delay: 30 });
      const indicator = bob.page.locator('.typing-indicator', { hasText: 'alice is typing…' });
      await indicator.waitFor();
      expect(await alice.page.locator('.typing-indicator .typing-text').count()).toBe(0); // never about yourself
      await indicator.waitFor({ state: 'detached', timeout: 15_000 });

      await alice.page.getByLabel('Message #Typing').pressSequentially(' still', { delay: 30 });
      await indicator.waitFor();
      await alice.page.getByLabel('Message #Typing').press('Enter');
      await finalMessage(bob.page, 'I am writing still').waitFor();
      // Posting ends the typing at once.
      await indicator.waitFor({ state: 'detached', timeout: 2_000 });
    });
  });

  it('saves screenshots of a lively room and of the room list (test-results/)', async () => {
    const roomId = await createRoomThroughUi(alice, 'Coffee chat');
    await bob.page.goto(`/r/${roomId}`);
    await bob.page.locator('.timeline-top .room-start').waitFor();
    const lines: [Person, string][] = [
      [alice, 'Morning all! Has anyone tried the new espresso place on 5th? :)'],
      [bob, 'Yes! The menu is at https://example.com/espresso'],
      [bob, 'The cortado is great <3'],
      [alice, '@bob adding it to the list for Friday ;)'],
    ];
    for (const [person, text] of lines) {
      await send(person.page, text);
      await finalMessage(person.page, text.replace(':)', '🙂').replace('<3', '❤️').replace(';)', '😉')).waitFor();
    }
    await bob.page.locator('.message', { hasText: 'adding it to the list' }).waitFor();
    // Alice starts another message (the typing indicator shows when the server's presence is there).
    await alice.page.getByLabel('Message #Coffee chat').pressSequentially('Shall we', { delay: 20 });
    await bob.page
      .locator('.typing-indicator .typing-text')
      .waitFor({ timeout: 5_000 })
      .catch(() => undefined);
    await bob.page.mouse.move(0, 0);
    await bob.page.screenshot({ path: `${artifactsDir}room.png` });
    await bob.page.setViewportSize({ width: 390, height: 780 });
    await bob.page.screenshot({ path: `${artifactsDir}room-phone.png` });
    await bob.page.setViewportSize({ width: 1280, height: 800 });

    const dana = await stack.person('dana');
    await dana.page.goto('/');
    await dana.page.locator('.room-list a', { hasText: 'Coffee chat' }).waitFor();
    await dana.page.screenshot({ path: `${artifactsDir}rooms.png` });
    await dana.context.close();
  });

  it('works on a phone-sized screen: panels collapse, the room switcher and an existing name lead to the room', async () => {
    const frank = await stack.person('frank', { viewport: { width: 390, height: 780 } });
    const page = frank.page;
    // "garden" names the existing "Garden": the create box takes you there instead of making a second room.
    await page.goto('/');
    await page.getByLabel('Create or join a room').fill('garden');
    await page.getByRole('button', { name: 'Go' }).click();
    await page.locator('.room-title', { hasText: 'Garden' }).waitFor();
    await finalMessage(page, 'hi bob 🙂').waitFor();
    expect(await page.locator('.room-list a', { hasText: /^#\s*garden/i }).count()).toBeLessThanOrEqual(1);

    const people = page.locator('#room-people');
    expect(await people.isVisible()).toBe(false);
    await page.getByRole('button', { name: /here$/ }).click();
    await people.waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    await people.waitFor({ state: 'hidden' });

    const switcher = page.getByRole('navigation', { name: 'Rooms' });
    expect(await switcher.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Show rooms' }).click();
    await switcher.waitFor({ state: 'visible' });
    await switcher.locator('a', { hasText: 'Edits' }).click();
    await page.locator('.room-title', { hasText: 'Edits' }).waitFor();
    await switcher.waitFor({ state: 'hidden' });

    // Keyboard: Tab reaches the composer, Enter sends.
    await page.getByLabel('Message #Edits').focus();
    await page.keyboard.type('from my phone');
    await page.keyboard.press('Enter');
    await finalMessage(page, 'from my phone').waitFor();
    await frank.context.close();
  });

  it('signs out to the sign-in page (no X button while X is not configured), and back in', async () => {
    const erin = await stack.person('erin');
    await erin.page.goto('/');
    await erin.page.getByRole('button', { name: 'Sign out' }).click();
    await erin.page.getByLabel('Your handle').waitFor();
    expect(await erin.page.getByText('Sign in with X').count()).toBe(0);
    const me = await erin.page.evaluate(async () => {
      const response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ me { handle } }' }),
      });
      return (await response.json()) as { data: { me: null | { handle: string } } };
    });
    expect(me.data.me).toBeNull();

    // When the server says X is configured (GET /auth/providers), the X button appears, coming back here after.
    await erin.page.route('**/auth/providers', (route) => route.fulfill({ json: { twitter: true, dev: false } }));
    await erin.page.goto('/r/some-room');
    const x = erin.page.getByRole('link', { name: 'Sign in with X' });
    await x.waitFor();
    expect(await x.getAttribute('href')).toBe('/auth/twitter?returnTo=%2Fr%2Fsome-room');
    expect(await erin.page.getByLabel('Your handle').count()).toBe(0);
    await erin.page.screenshot({ path: `${artifactsDir}sign-in-x.png` });
    // A failed X sign-in comes back as /?signin_error=<code>: the page says why, and tidies the URL.
    await erin.page.goto('/?signin_error=denied');
    await erin.page.getByRole('alert').filter({ hasText: 'Sign-in was cancelled on X.' }).waitFor();
    expect(new URL(erin.page.url()).search).toBe('');
    await erin.page.unroute('**/auth/providers');
    // A room link survives signing in: you land where the link pointed.
    await erin.page.goto('/r/nonexistent-room');
    await erin.page.getByLabel('Your handle').fill('erin');
    await erin.page.getByRole('button', { name: 'Sign in' }).click();
    await erin.page.getByRole('heading', { name: 'No such room' }).waitFor();
    await erin.context.close();
  });

  it('renders nothing the page did not expect: no uncaught errors, no dialogs', () => {
    expect([...alice.errors, ...bob.errors]).toEqual([]);
    expect([...alice.dialogs, ...bob.dialogs]).toEqual([]);
  });
});

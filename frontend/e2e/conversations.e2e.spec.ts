import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Person, type Stack, artifactsDir, finalMessage, messageTexts, send, startStack } from './harness.js';

/**
 * Conversations with shape, end to end (issue 14): threads, reactions, pins, edit history and travel
 * in time, each person in their own Chromium context against the real server (Redis store).
 */
describe('replies, threads, reactions, pins, edit history and jumps in a real browser', { timeout: 120_000 }, () => {
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

  const createRoom = async (person: Person, name: string) => {
    const data = await stack.gql<{ createRoom: { id: string } }>(
      person.cookie,
      'mutation($name: String!) { createRoom(name: $name) { id } }',
      {
        name,
      },
    );
    return data.createRoom.id;
  };
  const post = async (person: Person, roomId: string, body: string, replyTo?: string) => {
    const data = await stack.gql<{ postMessage: { id: string } }>(
      person.cookie,
      'mutation($roomId: ID!, $body: String!, $replyTo: ID) { postMessage(roomId: $roomId, body: $body, replyTo: $replyTo) { id } }',
      { roomId, body, replyTo },
    );
    return data.postMessage.id;
  };
  const open = async (person: Person, roomId: string) => {
    await person.page.goto(`/r/${roomId}`);
    await person.page.locator('.timeline-top :is(.room-start, .timeline-note)').first().waitFor();
  };
  /** A message's row in the timeline, by its body. */
  const row = (page: Page, text: string) => finalMessage(page, text);
  const chip = (message: Locator, emoji: string) => message.locator(`.reaction-chip[data-emoji="${emoji}"]`);

  it('replies from the composer, opens the thread, and a reply in the thread reaches the other browser live, also after a reconnect', async () => {
    const roomId = await createRoom(alice, 'Lunch');
    await post(alice, roomId, 'lunch at noon?');
    await open(alice, roomId);
    await open(bob, roomId);

    // Bob answers from the timeline: the composer quotes the message, Escape would cancel.
    const root = row(bob.page, 'lunch at noon?');
    await root.hover();
    await root.getByRole('button', { name: 'Reply', exact: true }).click();
    await bob.page.locator('.composer-reply', { hasText: 'replying to alice: lunch at noon?' }).waitFor();
    await send(bob.page, 'yes, the usual place');
    await expect(bob.page.locator('.composer-reply').count()).resolves.toBe(0);

    // The reply is in the timeline with its "replying to" line; the root counts it, live for alice too.
    const reply = row(alice.page, 'yes, the usual place');
    await reply.locator('.reply-line', { hasText: 'replying to alice: lunch at noon?' }).waitFor();
    await row(alice.page, 'lunch at noon?')
      .getByRole('button', { name: /^1 reply/ })
      .waitFor();
    await row(bob.page, 'lunch at noon?')
      .getByRole('button', { name: /^1 reply/ })
      .waitFor();

    // Both open the thread; what alice writes in it reaches bob's panel live.
    for (const person of [alice, bob]) {
      await row(person.page, 'lunch at noon?')
        .getByRole('button', { name: /^1 reply/ })
        .click();
      const panel = person.page.locator('.thread-panel');
      await panel.locator('.thread-root .message-body', { hasText: 'lunch at noon?' }).waitFor();
      await panel.locator('.thread-replies .message-body', { hasText: 'yes, the usual place' }).waitFor();
    }
    const threadComposer = alice.page.getByLabel('Reply in thread');
    await threadComposer.fill('12:30 then');
    await threadComposer.press('Enter');
    const bobsThread = bob.page.locator('.thread-panel');
    await bobsThread.locator('.thread-replies .message[data-status="final"] .message-body', { hasText: '12:30 then' }).waitFor();
    await bobsThread.locator('.thread-meta', { hasText: '2 replies' }).waitFor();
    await row(bob.page, 'lunch at noon?')
      .getByRole('button', { name: /^2 replies/ })
      .waitFor();

    // Offline, a reply is posted; back online, the room's subscription resumes and the thread has it, once.
    await bob.context.setOffline(true);
    await bob.page.locator('.connection-banner.offline').waitFor();
    const rootId = await row(alice.page, 'lunch at noon?').getAttribute('data-message-id');
    await post(alice, roomId, 'bring an umbrella', rootId!);
    await bob.context.setOffline(false);
    await bobsThread.locator('.thread-replies .message-body', { hasText: 'bring an umbrella' }).waitFor();
    await expect(bobsThread.locator('.thread-replies .message-body').allInnerTexts()).resolves.toEqual([
      'yes, the usual place',
      '12:30 then',
      'bring an umbrella',
    ]);
    await bob.page.screenshot({ path: `${artifactsDir}conversations-thread.png` });

    // The "replying to" line jumps to the original and marks it.
    await row(bob.page, 'yes, the usual place').locator('.reply-line').click();
    await bob.page.locator(`.timeline .message.highlighted[data-message-id="${rootId}"]`).waitFor();
    expect(bob.errors).toEqual([]);
    expect(alice.errors).toEqual([]);
  });

  it('reacts from two browsers: chips, counts and the viewer’s own highlight update live in both; the picker works by keyboard', async () => {
    const roomId = await createRoom(alice, 'Reactions');
    await post(alice, roomId, 'shipped it');
    await open(alice, roomId);
    await open(bob, roomId);

    // Bob reacts with the keyboard: Enter opens the picker, an arrow moves, Enter picks.
    const bobs = row(bob.page, 'shipped it');
    await bobs.hover();
    const react = bobs.getByRole('button', { name: 'React', exact: true });
    await react.focus();
    await react.press('Enter');
    const grid = bob.page.getByRole('dialog', { name: 'Pick a reaction' });
    await grid.waitFor();
    await expect(bob.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe('thumbs up');
    await bob.page.keyboard.press('ArrowRight');
    await bob.page.keyboard.press('ArrowDown');
    await expect(bob.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe('party popper');
    await bob.page.keyboard.press('ArrowUp');
    await bob.page.keyboard.press('ArrowLeft');
    await bob.page.keyboard.press('Enter');
    await grid.waitFor({ state: 'detached' });

    const alices = row(alice.page, 'shipped it');
    await chip(alices, '👍').waitFor();
    await expect(chip(alices, '👍').innerText()).resolves.toContain('1');
    await expect(chip(alices, '👍').getAttribute('aria-pressed')).resolves.toBe('false');
    await expect(chip(bobs, '👍').getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(chip(alices, '👍').getAttribute('title')).resolves.toBe('bob reacted with 👍');

    // Alice joins in by clicking the chip: 2 in both, highlighted for her too.
    await chip(alices, '👍').click();
    await expect.poll(() => chip(bobs, '👍').innerText(), { timeout: 5_000 }).toContain('2');
    await expect.poll(() => chip(alices, '👍').getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => chip(alices, '👍').getAttribute('title')).toMatch(/^You and bob reacted with 👍$/);

    // Bob takes his back: 1 in both, no longer his.
    await chip(bobs, '👍').click();
    await expect.poll(() => chip(alices, '👍').innerText(), { timeout: 5_000 }).toContain('1');
    await expect.poll(() => chip(bobs, '👍').getAttribute('aria-pressed')).toBe('false');
    await expect.poll(() => chip(alices, '👍').getAttribute('aria-pressed')).toBe('true');

    // Offline, a reaction is added and one taken back; back online, the chips show both, in order.
    await bob.context.setOffline(true);
    await bob.page.locator('.connection-banner.offline').waitFor();
    const messageId = await alices.getAttribute('data-message-id');
    const toggle = (verb: 'react' | 'unreact', emoji: string) =>
      stack.gql(alice.cookie, `mutation($id: ID!, $e: String!) { ${verb}(messageId: $id, emoji: $e) { id } }`, { id: messageId, e: emoji });
    await toggle('react', '🔥');
    await toggle('unreact', '👍');
    await bob.context.setOffline(false);
    await chip(bobs, '🔥').waitFor();
    await chip(bobs, '👍').waitFor({ state: 'detached' });

    // Escape closes the picker and gives focus back to its button.
    await bobs.hover();
    await react.focus();
    await react.press('Enter');
    await grid.waitFor();
    await bob.page.keyboard.press('Escape');
    await grid.waitFor({ state: 'detached' });
    await expect(bob.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe('React');

    // Twenty kinds are the most a message takes: the 21st is refused, and the page says so.
    const id = await alices.getAttribute('data-message-id');
    const kinds = ['😀', '😁', '😃', '😆', '😉', '😊', '😋', '😎', '🙂', '🤗', '🤩', '🥳', '😇', '🤓', '🫡', '🤠', '🥰', '😌', '😏'];
    for (const emoji of kinds)
      await stack.gql(alice.cookie, 'mutation($id: ID!, $e: String!) { react(messageId: $id, emoji: $e) { id } }', { id, e: emoji });
    await expect.poll(() => alices.locator('.reaction-chip').count(), { timeout: 5_000 }).toBe(20); // 🔥 and these 19
    await bobs.hover();
    await react.click();
    await grid.getByRole('button', { name: 'rocket' }).click();
    await bobs.locator('.form-error[role="alert"]').waitFor();
    await expect(chip(alices, '🚀').count()).resolves.toBe(0);
    await bob.page.screenshot({ path: `${artifactsDir}conversations-reactions.png` });
  });

  it('pins: owners pin and unpin, members see the marker and the pins panel update live, and jump to a pinned message', async () => {
    const roomId = await createRoom(alice, 'Pins');
    for (let i = 1; i <= 3; i++) await post(alice, roomId, `notice ${i}`);
    await open(alice, roomId);
    await open(bob, roomId);

    // Bob is a member of a public room: no pin action for him.
    await row(bob.page, 'notice 1').hover();
    await expect(row(bob.page, 'notice 1').getByRole('button', { name: 'Pin message' }).count()).resolves.toBe(0);

    await bob.page.getByRole('button', { name: 'Pinned', exact: true }).click();
    const panel = bob.page.locator('.pins-panel');
    await panel.locator('.empty-note', { hasText: 'Nothing is pinned here yet.' }).waitFor();

    for (const text of ['notice 1', 'notice 3']) {
      const message = row(alice.page, text);
      await message.hover();
      await message.getByRole('button', { name: 'Pin message' }).click();
      await row(alice.page, text).locator('.pin-marker').waitFor();
    }
    await row(bob.page, 'notice 3').locator('.pin-marker').waitFor();
    // Most recently pinned first, live.
    await expect.poll(() => panel.locator('.pinned-body').allInnerTexts()).toEqual(['notice 3', 'notice 1']);

    const third = row(alice.page, 'notice 3');
    await third.hover();
    await third.getByRole('button', { name: 'Unpin message' }).click();
    await expect.poll(() => panel.locator('.pinned-body').allInnerTexts()).toEqual(['notice 1']);
    await row(bob.page, 'notice 3').locator('.pin-marker').waitFor({ state: 'detached' });

    await panel.getByRole('button', { name: 'Jump to message' }).click();
    await bob.page.locator('.timeline .message.highlighted', { hasText: 'notice 1' }).waitFor();
    await bob.page.screenshot({ path: `${artifactsDir}conversations-pins.png` });
  });

  it('opens the history of an edited message: earlier bodies oldest first, then the current one', async () => {
    const roomId = await createRoom(alice, 'Drafts');
    const id = await post(alice, roomId, 'meet at 3');
    for (const body of ['meet at 4', 'meet at 5'])
      await stack.gql(alice.cookie, 'mutation($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { id } }', { id, body });
    await open(bob, roomId);

    // Not `row`: the body reads "meet at 5 (edited)".
    const message = bob.page.locator('.timeline .message', { hasText: 'meet at 5' });
    await message.getByRole('button', { name: '(edited)' }).click();
    const popover = bob.page.getByRole('dialog', { name: 'Edit history' });
    await popover.locator('.edit-version').nth(2).waitFor();
    await expect(popover.locator('.edit-version-body').allInnerTexts()).resolves.toEqual(['meet at 3', 'meet at 4', 'meet at 5']);
    await expect(popover.locator('.edit-version.current .edit-version-body').innerText()).resolves.toBe('meet at 5');
    await bob.page.screenshot({ path: `${artifactsDir}conversations-history.png` });
    await bob.page.keyboard.press('Escape');
    await popover.waitFor({ state: 'detached' });
    // Closed, the row reads as before.
    expect(await messageTexts(bob.page)).toEqual(['meet at 5 (edited)']);
  });

  it('jumps to a moment in the middle of a room: the messages from then on, older ones above as the reader scrolls up', async () => {
    const roomId = await createRoom(alice, 'Minutes');
    for (let i = 1; i <= 10; i++) await post(alice, roomId, `early ${i}`);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const moment = new Date();
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 1; i <= 60; i++) await post(alice, roomId, `late ${i}`);
    await open(bob, roomId);
    await row(bob.page, 'late 60').waitFor();

    // To the second, in bob's time zone (the server's clock is this machine's).
    const local = new Date(moment.getTime() - moment.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
    await bob.page.getByLabel('Jump to date').evaluate((input, value) => {
      (input as HTMLInputElement).value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }, local);
    await bob.page.getByRole('button', { name: 'Jump', exact: true }).click();
    await row(bob.page, 'late 1').waitFor();
    // The forward page starts at the moment; the page before it loads above (the reader is near the top).
    await row(bob.page, 'early 10').waitFor({ state: 'attached' });
    const texts = await messageTexts(bob.page);
    expect(texts.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `early ${i + 1}`));
    expect(texts.slice(10)).toEqual(Array.from({ length: 50 }, (_, i) => `late ${i + 1}`));
    await bob.page.locator('.timeline-top .room-start').waitFor();
    // The first late message is where the reader is, not the end.
    const inView = await row(bob.page, 'late 1').evaluate((el) => {
      const scroller = el.closest('.timeline-scroller')!.getBoundingClientRect();
      const box = el.getBoundingClientRect();
      return box.top >= scroller.top && box.bottom <= scroller.bottom;
    });
    expect(inView).toBe(true);
  });

  it('jumps to a date, scrolls forward page by page into the present, and live messages follow with no gap or duplicate', async () => {
    const roomId = await createRoom(alice, 'Archive');
    const bodies = Array.from({ length: 120 }, (_, i) => `entry ${i + 1}`);
    for (const body of bodies) await post(alice, roomId, body);
    await open(bob, roomId);
    await row(bob.page, 'entry 120').waitFor();

    // A minute before the room: its start. The timeline shows the first entries, not the newest.
    const start = new Date(Date.now() - 10 * 60_000);
    const local = new Date(start.getTime() - start.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await bob.page.getByLabel('Jump to date').fill(local);
    await bob.page.getByRole('button', { name: 'Jump', exact: true }).click();
    await row(bob.page, 'entry 1').waitFor();
    await bob.page.getByRole('button', { name: 'Jump to present', exact: true }).first().waitFor();
    await expect(messageTexts(bob.page)).resolves.toEqual(bodies.slice(0, 50));
    await bob.page.locator('.timeline-top .room-start').waitFor();

    // Something is said while bob reads the past: it is not shown yet (nothing live away from the present).
    await post(alice, roomId, 'said while bob was away');

    // Scrolling down brings the next pages, then the present, then live events again.
    const scroller = bob.page.locator('.timeline-scroller');
    for (let i = 0; i < 10; i++) {
      await scroller.evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      if ((await bob.page.getByRole('button', { name: 'Jump to present', exact: true }).count()) === 0) break;
      await bob.page.waitForTimeout(200);
    }
    await row(bob.page, 'said while bob was away').waitFor();
    await bob.page.getByRole('button', { name: 'Jump to present', exact: true }).first().waitFor({ state: 'detached' });
    await post(alice, roomId, 'and now live');
    await row(bob.page, 'and now live').waitFor();
    await expect(messageTexts(bob.page)).resolves.toEqual([...bodies, 'said while bob was away', 'and now live']);
    await bob.page.screenshot({ path: `${artifactsDir}conversations-jump.png` });

    // Jump again, then back to the present with the button.
    await bob.page.getByRole('button', { name: 'Jump', exact: true }).click();
    await row(bob.page, 'entry 1').waitFor();
    await bob.page.getByRole('button', { name: 'Jump to present', exact: true }).first().click();
    await row(bob.page, 'and now live').waitFor();
    await expect(row(bob.page, 'entry 1').count()).resolves.toBe(0);

    // A jump to a message far back (from the pins): the pages around it, the message marked; up loads older, down newer.
    const firstPage = await stack.gql<{ room: { messages: { edges: { node: { id: string; body: string } }[] } } }>(
      alice.cookie,
      'query($id: ID!) { room(id: $id) { messages(first: 5, after: "0-0") { edges { node { id body } } } } }',
      { id: roomId },
    );
    const thirdId = firstPage.room.messages.edges.find((e) => e.node.body === 'entry 3')!.node.id;
    await stack.gql(alice.cookie, 'mutation($id: ID!) { pinMessage(id: $id) { id } }', { id: thirdId });
    await bob.page.getByRole('button', { name: 'Pinned', exact: true }).click();
    await bob.page.locator('.pins-panel').getByRole('button', { name: 'Jump to message' }).click();
    await bob.page.locator(`.timeline .message.highlighted[data-message-id="${thirdId}"]`).waitFor();
    await bob.page.getByRole('button', { name: 'Jump to present', exact: true }).first().waitFor();
    await expect(row(bob.page, 'and now live').count()).resolves.toBe(0);
    await scroller.evaluate((el) => {
      el.scrollTop = 0;
    });
    await row(bob.page, 'entry 1').waitFor({ state: 'attached' });
    for (let i = 0; i < 10; i++) {
      await scroller.evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      if ((await bob.page.getByRole('button', { name: 'Jump to present', exact: true }).count()) === 0) break;
      await bob.page.waitForTimeout(200);
    }
    await row(bob.page, 'and now live').waitFor();
    await expect(messageTexts(bob.page)).resolves.toEqual([...bodies, 'said while bob was away', 'and now live']);
    expect(bob.errors).toEqual([]);
  });
});

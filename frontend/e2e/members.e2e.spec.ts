import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Person, type Stack, artifactsDir, finalMessage, send, startStack } from './harness.js';

/**
 * Rooms that belong to people, end to end: direct messages, private rooms, invitations, and a
 * moderator at work, each person in their own Chromium context against the real server.
 */
describe('private rooms, direct messages, invitations and moderation in a real browser', { timeout: 120_000 }, () => {
  let stack: Stack;
  let alice: Person;
  let bob: Person;
  let carol: Person;

  beforeAll(async () => {
    stack = await startStack();
    alice = await stack.person('alice');
    bob = await stack.person('bob');
    carol = await stack.person('carol');
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const roomIdOf = (page: Page) => {
    const match = /\/r\/([^/]+)$/.exec(new URL(page.url()).pathname);
    if (!match) throw new Error(`not in a room: ${page.url()}`);
    return decodeURIComponent(match[1]!);
  };

  /** Creates a room from the lobby's form, public or private, and waits in it. */
  const createRoom = async (person: Person, name: string, kind: 'Public' | 'Private') => {
    const page = person.page;
    await page.goto('/');
    await page.getByLabel('Create or join a room').fill(name);
    await page.getByRole('radio', { name: new RegExp(`^${kind}`) }).check();
    await page.getByRole('button', { name: kind === 'Private' ? 'Create' : 'Go' }).click();
    await page.locator('.room-title', { hasText: name }).waitFor();
    await page.locator('.timeline-top .room-start').waitFor();
    return roomIdOf(page);
  };

  const inviteThroughUi = async (page: Page, prefix: string, handle: string) => {
    const box = page.getByRole('combobox', { name: /^Invite someone/ });
    if (!(await box.isVisible())) await page.locator('.room-actions').getByRole('button', { name: 'Invite' }).click();
    await box.fill(prefix);
    await page.getByRole('option', { name: new RegExp(`@${handle}`) }).click();
    await page.locator('.invite-box').getByRole('button', { name: 'Invite', exact: true }).click();
    await page.locator('.invite-box .form-ok', { hasText: `Invited @${handle}.` }).waitFor();
  };

  const roomQuery = (person: Person, id: string) =>
    stack.gql<{ room: { id: string } | null }>(person.cookie, 'query($id: ID!) { room(id: $id) { id } }', { id });

  it('opens a direct conversation from the new-message box, with completion, and both write in it live', async () => {
    // Bob has to exist to be found.
    await bob.page.goto('/');
    await alice.page.goto('/');
    const box = alice.page.getByRole('combobox', { name: 'New message' });
    await box.fill('bo');
    await alice.page.getByRole('option', { name: /@bob/ }).click();
    await expect(box.inputValue()).resolves.toBe('bob, ');
    await alice.page.getByRole('button', { name: 'Open', exact: true }).click();
    // A direct room is named after the other people, and marked as such.
    await alice.page.locator('.room-title[data-kind="DIRECT"]', { hasText: 'bob' }).waitFor();
    const dmId = roomIdOf(alice.page);
    await send(alice.page, 'psst, bob');
    await finalMessage(alice.page, 'psst, bob').waitFor();

    // Bob finds it among his own conversations, named after Alice.
    await bob.page.goto('/');
    await bob.page.locator('.yours .my-room-list a[data-kind="DIRECT"]', { hasText: 'alice' }).click();
    await bob.page.locator('.room-title[data-kind="DIRECT"]', { hasText: 'alice' }).waitFor();
    expect(roomIdOf(bob.page)).toBe(dmId);
    await finalMessage(bob.page, 'psst, bob').waitFor();
    await send(bob.page, 'hi alice');
    await finalMessage(alice.page, 'hi alice').waitFor();
    await send(alice.page, 'see you');
    await finalMessage(bob.page, 'see you').waitFor();

    // Nobody else can see it.
    await expect(roomQuery(carol, dmId)).resolves.toEqual({ room: null });
  });

  it("opens a direct conversation from a message author's name", async () => {
    const roomId = await createRoom(alice, 'Lobby chat', 'Public');
    await send(alice.page, 'anyone around?');
    await carol.page.goto(`/r/${roomId}`);
    const message = finalMessage(carol.page, 'anyone around?');
    await message.waitFor();
    // Reading a public room does not make one a member; Join does, without a word.
    await carol.page.locator('.room-actions').getByRole('button', { name: 'Join' }).click();
    await alice.page.locator('.notice[data-kind="joined"]', { hasText: 'carol became a member' }).waitFor();
    await carol.page.locator('.room-switcher .my-room-list a', { hasText: 'Lobby chat' }).waitFor();
    await carol.page.locator('.room-actions').getByRole('button', { name: 'Join' }).waitFor({ state: 'detached' });
    await message.getByRole('button', { name: 'alice', exact: true }).click();
    await carol.page.getByRole('button', { name: 'Send a direct message' }).click();
    await carol.page.locator('.room-title[data-kind="DIRECT"]', { hasText: 'alice' }).waitFor();
    await send(carol.page, 'hello from carol');
    await finalMessage(carol.page, 'hello from carol').waitFor();
    // The same people always get the same room: Alice opening it from the new-message box lands there too.
    const dmId = roomIdOf(carol.page);
    await alice.page.goto('/');
    const box = alice.page.getByRole('combobox', { name: 'New message' });
    await box.fill('@carol');
    await box.press('Enter');
    await finalMessage(alice.page, 'hello from carol').waitFor();
    expect(roomIdOf(alice.page)).toBe(dmId);
  });

  it('keeps a private room out of sight of anyone not in it: not listed, and its address is not found', async () => {
    const roomId = await createRoom(alice, 'Secret plans', 'Private');
    await alice.page.locator('.room-title[data-kind="PRIVATE"]').waitFor();
    await send(alice.page, 'the plan');
    await finalMessage(alice.page, 'the plan').waitFor();
    // Alice's own list has it, with the lock; the public list does not.
    await alice.page.locator('.room-switcher .my-room-list a[data-kind="PRIVATE"]', { hasText: 'Secret plans' }).waitFor();

    const page = carol.page;
    await page.goto('/');
    await page.locator('.rooms-page .room-list a', { hasText: 'Lobby chat' }).waitFor();
    expect(await page.locator('a', { hasText: 'Secret plans' }).count()).toBe(0);
    await page.getByRole('searchbox', { name: 'Filter rooms' }).fill('secret');
    await page.locator('.rooms-page .empty-note', { hasText: 'No room matches' }).waitFor();

    await page.goto(`/r/${roomId}`);
    await page.getByRole('heading', { name: 'No such room' }).waitFor();
    expect(await page.locator('.timeline').count()).toBe(0);
    await expect(roomQuery(carol, roomId)).resolves.toEqual({ room: null });
  });

  it('invites with completion; the invitee sees the invitation in the sidebar and accepts it', async () => {
    const roomId = await createRoom(alice, 'Book club', 'Private');
    await inviteThroughUi(alice.page, 'b', 'bob');
    await alice.page.locator('.notice', { hasText: 'alice invited bob' }).waitFor();
    await alice.page.locator('#room-people .member[data-handle="bob"][data-membership="INVITED"]').waitFor();

    const page = bob.page;
    await page.goto('/');
    const invitation = page.locator('.yours .invitation-item', { hasText: 'Book club' });
    await invitation.waitFor();
    await page.screenshot({ path: `${artifactsDir}members-invitation.png` });
    await invitation.getByRole('button', { name: 'Accept the invitation to Book club' }).click();
    await page.locator('.room-title', { hasText: 'Book club' }).waitFor();
    expect(roomIdOf(page)).toBe(roomId);
    await page.locator('.timeline-top .room-start').waitFor();
    await alice.page.locator('.notice', { hasText: 'bob accepted the invitation' }).waitFor();
    await alice.page.locator('#room-people .member[data-handle="bob"][data-membership="JOINED"]').waitFor();

    await send(page, 'thanks for having me');
    await finalMessage(alice.page, 'thanks for having me').waitFor();
    await page.goto('/');
    await page.locator('.yours .my-room-list a[data-kind="PRIVATE"]', { hasText: 'Book club' }).waitFor();
    expect(await page.locator('.yours .invitation-item').count()).toBe(0);
  });

  it('declines an invitation: it goes away, the room stays out of sight, and the room is told', async () => {
    await alice.page.locator('.room-switcher a', { hasText: 'Book club' }).click();
    await alice.page.locator('.room-title', { hasText: 'Book club' }).waitFor();
    const roomId = roomIdOf(alice.page);
    await alice.page.locator('.timeline-top .room-start').waitFor();
    await inviteThroughUi(alice.page, 'car', 'carol');

    const page = carol.page;
    await page.goto('/');
    const invitation = page.locator('.yours .invitation-item', { hasText: 'Book club' });
    await invitation.waitFor();
    // Before accepting, the room says so rather than showing its history.
    await invitation.getByRole('link', { name: /Book club/ }).click();
    await page.getByRole('heading', { name: /You are invited to/ }).waitFor();
    expect(await page.locator('.message').count()).toBe(0);
    await page.getByRole('button', { name: 'Decline', exact: true }).click();
    await page.waitForURL(`${stack.url}/`);
    await page.locator('.yours').waitFor();
    expect(await page.locator('.yours .invitation-item').count()).toBe(0);
    await alice.page.locator('.notice', { hasText: 'carol declined the invitation' }).waitFor();

    await page.goto(`/r/${roomId}`);
    await page.getByRole('heading', { name: 'No such room' }).waitFor();
  });

  it('lets a moderator ban a spammer: the spammer is told why, cannot post, and the log keeps it', async () => {
    const spammer = await stack.person('spammer');
    const roomId = await createRoom(alice, 'Town square', 'Public');
    await send(alice.page, 'welcome');
    await finalMessage(alice.page, 'welcome').waitFor();

    const page = spammer.page;
    await page.goto(`/r/${roomId}`);
    await finalMessage(page, 'welcome').waitFor();
    await send(page, 'BUY CHEAP WATCHES');
    await finalMessage(alice.page, 'BUY CHEAP WATCHES').waitFor();

    // The moderator removes the message, with a reason: everyone sees who removed it.
    const spam = finalMessage(alice.page, 'BUY CHEAP WATCHES');
    await spam.hover();
    await spam.getByRole('button', { name: 'Remove message' }).click();
    await alice.page.getByLabel('Reason for removing').fill('advertising');
    await alice.page.locator('.remove-form').getByRole('button', { name: 'Remove' }).click();
    await page.locator('.message.deleted .tombstone', { hasText: 'message removed by alice' }).waitFor();
    await alice.page.locator('.message.deleted .tombstone', { hasText: 'message removed by alice' }).waitFor();

    // Then bans them for a day, from the members panel.
    const row = alice.page.locator('#room-people .member[data-handle="spammer"]');
    await row.getByRole('button', { name: 'Moderate spammer' }).click();
    await row.getByLabel('Reason (shown to the room)').fill('spam');
    await row.getByLabel('Ban for').selectOption({ label: '1 day' });
    await row.getByRole('button', { name: 'Ban', exact: true }).click();
    await alice.page.locator('.notice[data-kind="banned"]', { hasText: /spammer was banned by alice until .+: spam/ }).waitFor();
    await alice.page.locator('#room-people .member[data-handle="spammer"][data-membership="BANNED"]').waitFor();

    // The spammer's tab says why (the event about the ban comes before their subscription ends),
    // and closes the composer.
    await page.locator('.notice[data-kind="banned"]', { hasText: /spammer was banned by alice until .+: spam/ }).waitFor();
    await page.locator('.room-ended', { hasText: /banned/ }).waitFor();
    await page.locator('.composer-blocked', { hasText: /You are banned from this room until/ }).waitFor();
    expect(await page.getByLabel(/^Message #/).isDisabled()).toBe(true);

    // Their next post is refused, with the reason and when it ends.
    await expect(
      stack.gql(spammer.cookie, 'mutation($roomId: ID!) { postMessage(roomId: $roomId, body: "again") { id } }', { roomId }),
    ).rejects.toThrow(/You are banned from this room until/);
    // Coming back shows the same, not the room.
    await page.reload();
    await page.getByRole('heading', { name: 'You cannot read this room' }).waitFor();
    await page.locator('.invitation', { hasText: /You are banned from this room until/ }).waitFor();

    // The moderation log has both actions; a plain member has no log.
    await alice.page.getByRole('button', { name: 'Moderation log' }).click();
    await alice.page.locator('.audit-entry[data-action="BAN"]', { hasText: 'alice banned spammer: spam' }).waitFor();
    await alice.page.locator('.audit-entry[data-action="REMOVE_MESSAGE"]', { hasText: 'advertising' }).waitFor();
    await alice.page.screenshot({ path: `${artifactsDir}members-moderator.png` });
    await page.screenshot({ path: `${artifactsDir}members-banned.png` });
    await expect(
      stack.gql(bob.cookie, 'query($id: ID!) { room(id: $id) { auditLog { edges { cursor } } } }', { id: roomId }),
    ).rejects.toThrow(/owner and moderators/i);
  });

  it('mutes for a chosen time: the muted person reads on, is told until when, and is unmuted', async () => {
    await alice.page.locator('.room-title', { hasText: 'Town square' }).waitFor();
    const roomId = roomIdOf(alice.page);
    const page = bob.page;
    await page.goto(`/r/${roomId}`);
    await send(page, 'hello square');
    await finalMessage(alice.page, 'hello square').waitFor();

    const row = alice.page.locator('#room-people .member[data-handle="bob"]');
    await row.getByRole('button', { name: 'Moderate bob' }).click();
    await row.getByLabel('Mute for').selectOption({ label: '1 hour' });
    await row.getByRole('button', { name: 'Mute', exact: true }).click();
    await page.locator('.notice[data-kind="muted"]', { hasText: 'bob was muted by alice until' }).waitFor();
    await page.locator('.composer-blocked', { hasText: /You are muted in this room until/ }).waitFor();
    expect(await page.getByLabel(/^Message #/).isDisabled()).toBe(true);

    await row.getByRole('button', { name: 'Unmute' }).click();
    await page.locator('.notice[data-kind="unmuted"]', { hasText: 'bob was unmuted by alice' }).waitFor();
    await page.locator('.composer-blocked').waitFor({ state: 'detached' });
    await send(page, 'thank you');
    await finalMessage(alice.page, 'thank you').waitFor();
  });

  it('kicks a member out of a private room, live, and makes another a moderator', async () => {
    const dana = await stack.person('dana', { viewport: { width: 390, height: 780 } });
    const roomId = await createRoom(alice, 'Workshop', 'Private');
    await inviteThroughUi(alice.page, 'da', 'dana');
    await inviteThroughUi(alice.page, 'carol', 'carol');
    for (const [person, handle] of [
      [dana, 'dana'],
      [carol, 'carol'],
    ] as const) {
      await stack.gql(person.cookie, 'mutation($id: ID!) { joinRoom(roomId: $id) { id } }', { id: roomId });
      await alice.page.locator('#room-people .member[data-membership="JOINED"]', { hasText: handle }).waitFor();
    }
    await dana.page.goto(`/r/${roomId}`);
    await dana.page.locator('.timeline-top .room-start').waitFor();
    await dana.page.screenshot({ path: `${artifactsDir}members-phone.png` });
    await carol.page.goto(`/r/${roomId}`);
    await carol.page.locator('.timeline-top .room-start').waitFor();

    // The owner makes Carol a moderator: her page learns it from the room's events.
    const carolRow = alice.page.locator('#room-people .member[data-handle="carol"]');
    await carolRow.getByRole('button', { name: 'Moderate carol' }).click();
    await carolRow.getByRole('button', { name: 'Make moderator' }).click();
    await carol.page.locator('.notice[data-kind="role"]', { hasText: 'alice made carol a moderator' }).waitFor();
    await carol.page.locator('.room-actions').getByRole('button', { name: 'Moderation log' }).waitFor();
    await alice.page.locator('#room-people .member[data-handle="carol"][data-role="MODERATOR"]').waitFor();

    // Carol, now a moderator, kicks Dana, with a reason; Dana's tab says so and stops.
    const danaRow = carol.page.locator('#room-people .member[data-handle="dana"]');
    await danaRow.getByRole('button', { name: 'Moderate dana' }).click();
    await danaRow.getByLabel('Reason (shown to the room)').fill('off topic');
    await danaRow.getByRole('button', { name: 'Kick', exact: true }).click();
    await alice.page.locator('.notice[data-kind="kicked"]', { hasText: 'dana was kicked by carol: off topic' }).waitFor();
    await dana.page.locator('.notice[data-kind="kicked"]', { hasText: 'dana was kicked by carol: off topic' }).waitFor();
    await dana.page.locator('.room-ended', { hasText: /kicked/ }).waitFor();
    expect(await dana.page.getByLabel(/^Message #/).isDisabled()).toBe(true);
    await alice.page.locator('#room-people .member[data-handle="dana"][data-membership="KICKED"]').waitFor();
    // Out of a private room is out of sight.
    await dana.page.reload();
    await dana.page.getByRole('heading', { name: 'No such room' }).waitFor();
    await dana.context.close();
  });

  it('leaves a room: it goes from the list, and the room is told', async () => {
    const page = bob.page;
    await page.goto('/');
    await page.locator('.yours .my-room-list a', { hasText: 'Book club' }).click();
    await page.locator('.room-title', { hasText: 'Book club' }).waitFor();
    const roomId = roomIdOf(page);
    await alice.page.goto(`/r/${roomId}`);
    await alice.page.locator('#room-people .member[data-handle="bob"]').waitFor();
    // The owner cannot leave; a member can, after saying so twice.
    expect(await alice.page.locator('.room-actions').getByRole('button', { name: 'Leave' }).count()).toBe(0);
    await page.locator('.room-actions').getByRole('button', { name: 'Leave' }).click();
    await page.locator('.room-actions').getByRole('button', { name: 'Leave' }).click();
    await page.waitForURL(`${stack.url}/`);
    await page.locator('.yours').waitFor();
    expect(await page.locator('.yours a', { hasText: 'Book club' }).count()).toBe(0);
    await alice.page.locator('.notice[data-kind="left"]', { hasText: 'bob left' }).waitFor();
    await alice.page.locator('#room-people .member[data-handle="bob"]').waitFor({ state: 'detached' });
  });

  it('renders nothing the page did not expect: no uncaught errors, no dialogs', () => {
    expect([...alice.errors, ...bob.errors, ...carol.errors]).toEqual([]);
    expect([...alice.dialogs, ...bob.dialogs, ...carol.dialogs]).toEqual([]);
  });
});

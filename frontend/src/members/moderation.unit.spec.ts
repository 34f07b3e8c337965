import { describe, expect, it } from 'vitest';
import {
  BAN_DURATIONS,
  MUTE_DURATIONS,
  canInvite,
  canModerate,
  canRemoveMessage,
  canSetRole,
  findDuration,
  toUntil,
} from './moderation.js';
import { isActive, msUntilLifted, restrictionText, toMemberRestriction, toRestriction } from './restriction.js';
import { CombinedError } from '@urql/core';
import { GraphQLError } from 'graphql';

const NOW = Date.parse('2026-12-05T09:00:00.000Z');
const forbidden = (extensions: Record<string, unknown>) =>
  new CombinedError({ graphQLErrors: [new GraphQLError('You are muted', { extensions: { code: 'FORBIDDEN', ...extensions } })] });

describe('who may moderate whom', () => {
  it('lets the owner act on anyone else, moderators on members only', () => {
    expect(canModerate('OWNER', 'me', { userId: 'x', role: 'MODERATOR' })).toBe(true);
    expect(canModerate('OWNER', 'me', { userId: 'me', role: 'OWNER' })).toBe(false);
    expect(canModerate('MODERATOR', 'me', { userId: 'x', role: 'MEMBER' })).toBe(true);
    expect(canModerate('MODERATOR', 'me', { userId: 'x', role: 'OWNER' })).toBe(false);
    expect(canModerate('MEMBER', 'me', { userId: 'x', role: 'MEMBER' })).toBe(false);
    expect(canSetRole('OWNER', 'me', 'x')).toBe(true);
    expect(canSetRole('MODERATOR', 'me', 'x')).toBe(false);
    expect(canRemoveMessage('MODERATOR', 'me', 'x')).toBe(true);
    expect(canRemoveMessage('MODERATOR', 'me', 'me')).toBe(false);
    expect(canRemoveMessage(null, 'me', 'x')).toBe(false);
  });

  it('offers invitations to members of private rooms and to moderators of public ones, never in direct conversations', () => {
    expect(canInvite('PRIVATE', 'MEMBER', 'JOINED')).toBe(true);
    expect(canInvite('PUBLIC', 'MEMBER', 'JOINED')).toBe(false);
    expect(canInvite('PUBLIC', 'MODERATOR', 'JOINED')).toBe(true);
    expect(canInvite('DIRECT', 'OWNER', 'JOINED')).toBe(false);
    expect(canInvite('PRIVATE', 'MEMBER', 'INVITED')).toBe(false);
  });

  it('turns a chosen duration into an end time, or none for good; a mute always ends', () => {
    expect(toUntil(findDuration(BAN_DURATIONS, 'hour'), NOW)).toBe('2026-12-05T10:00:00.000Z');
    expect(toUntil(findDuration(BAN_DURATIONS, 'week'), NOW)).toBe('2026-12-12T09:00:00.000Z');
    expect(toUntil(findDuration(BAN_DURATIONS, 'forever'), NOW)).toBeNull();
    expect(MUTE_DURATIONS.map((d) => d.label)).toEqual(['1 hour', '1 day', '1 week']);
  });
});

describe('why the viewer may not post', () => {
  it('reads a refusal: reason and until from the extensions', () => {
    expect(toRestriction(forbidden({ reason: 'muted', until: '2026-12-05T10:00:00.000Z' }))).toEqual({
      reason: 'muted',
      until: '2026-12-05T10:00:00.000Z',
    });
    expect(toRestriction(forbidden({ reason: 'banned', until: null }))).toEqual({ reason: 'banned', until: null });
    expect(toRestriction(forbidden({}))).toBeNull();
    expect(
      toRestriction(new CombinedError({ graphQLErrors: [new GraphQLError('x', { extensions: { code: 'NOT_FOUND', reason: 'banned' } })] })),
    ).toBeNull();
    expect(toRestriction(undefined)).toBeNull();
  });

  it("reads the viewer's member entry, and lets a restriction lapse", () => {
    const base = { membership: 'JOINED' as const, mutedUntil: null, bannedUntil: null };
    expect(toMemberRestriction(base, NOW)).toBeNull();
    expect(toMemberRestriction({ ...base, mutedUntil: '2026-12-05T10:00:00.000Z' }, NOW)).toEqual({
      reason: 'muted',
      until: '2026-12-05T10:00:00.000Z',
    });
    expect(toMemberRestriction({ ...base, mutedUntil: '2026-12-05T08:00:00.000Z' }, NOW)).toBeNull();
    expect(toMemberRestriction({ ...base, membership: 'BANNED' }, NOW)).toEqual({ reason: 'banned', until: null });
    expect(isActive({ reason: 'banned', until: null }, NOW + 1e12)).toBe(true);
    expect(msUntilLifted({ reason: 'muted', until: '2026-12-05T09:00:01.000Z' }, NOW)).toBe(1000);
  });

  it('says it in a sentence', () => {
    const format = (iso: string) => `<${iso}>`;
    expect(restrictionText({ reason: 'muted', until: 'T' }, format)).toBe('You are muted in this room until <T>.');
    expect(restrictionText({ reason: 'banned', until: 'T' }, format)).toBe('You are banned from this room until <T>.');
    expect(restrictionText({ reason: 'banned', until: null }, format)).toBe('You are banned from this room.');
  });
});

import { For, Show, createSignal } from 'solid-js';
import type { RoomRole } from '../graphql/gql/graphql.js';
import { Avatar } from '../ui/Avatar.js';
import { LoadMore } from '../ui/LoadMore.js';
import type { Member } from './memberList.js';
import { formatUntil } from './membership.js';
import { BAN_DURATIONS, MUTE_DURATIONS, ROLE_LABELS, canModerate, canSetRole, findDuration, toUntil } from './moderation.js';
import type { ModerationActions } from './moderationActions.js';

/** A member's state in a few words: "Invited", "Muted until 5 Dec, 11:00", "Banned for good". */
const memberNote = (m: Member, now: number): string | null => {
  if (m.membership === 'INVITED') return 'Invited';
  if (m.membership === 'KICKED') return 'Kicked';
  if (m.membership === 'BANNED') return m.bannedUntil ? `Banned until ${formatUntil(m.bannedUntil)}` : 'Banned for good';
  if (m.mutedUntil && Date.parse(m.mutedUntil) > now) return `Muted until ${formatUntil(m.mutedUntil)}`;
  return null;
};

/** The room's members with their roles; moderators get actions on each. */
export const MembersPanel = (props: {
  members: readonly Member[];
  count: number;
  viewerId: string;
  viewerRole: RoomRole | null;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  onMessage: (handle: string) => Promise<string | null>;
  actions: ModerationActions;
}) => {
  // Here, not in the row: a row is made anew whenever its member changes (a mute), and the actions stay open.
  const [openId, setOpenId] = createSignal<string | null>(null);
  return (
    <section class="members" aria-labelledby="members-heading">
      <h2 id="members-heading">
        Members <span class="count">{props.count}</span>
      </h2>
      <ul class="people-list member-list">
        <For each={props.members}>
          {(member) => (
            <MemberRow
              member={member}
              viewerId={props.viewerId}
              viewerRole={props.viewerRole}
              onMessage={props.onMessage}
              actions={props.actions}
              open={openId() === member.user.id}
              onToggle={() => setOpenId(openId() === member.user.id ? null : member.user.id)}
            />
          )}
        </For>
      </ul>
      <Show when={props.hasMore}>
        <LoadMore
          count={props.members.length}
          loading={props.loadingMore}
          error={null}
          label="Show more members"
          onLoadMore={() => props.onLoadMore()}
        />
      </Show>
    </section>
  );
};

const MemberRow = (props: {
  member: Member;
  viewerId: string;
  viewerRole: RoomRole | null;
  onMessage: (handle: string) => Promise<string | null>;
  actions: ModerationActions;
  open: boolean;
  onToggle: () => void;
}) => {
  const open = () => props.open;
  const user = () => props.member.user;
  const self = () => user().id === props.viewerId;
  const moderatable = () => canModerate(props.viewerRole, props.viewerId, { userId: user().id, role: props.member.role });
  const note = () => memberNote(props.member, Date.now());
  return (
    <li
      class="member"
      data-handle={user().handle}
      data-role={props.member.role}
      data-membership={props.member.membership}
      classList={{ removed: props.member.membership === 'KICKED' || props.member.membership === 'BANNED' }}
    >
      <div class="member-line">
        <Avatar user={user()} size={28} />
        <span class="person-names">
          <span class="display-name">
            {user().displayName}
            <Show when={self()}>
              <span class="you"> (you)</span>
            </Show>
          </span>
          <span class="person-status">
            <Show when={props.member.role !== 'MEMBER'}>
              <span class="role-badge" data-role={props.member.role}>
                {ROLE_LABELS[props.member.role]}
              </span>{' '}
            </Show>
            {note() ?? `@${user().handle}`}
          </span>
        </span>
        <Show when={!self()}>
          <button
            type="button"
            class="icon-button"
            aria-label={`Message ${user().displayName}`}
            title="Send a direct message"
            onClick={() => void props.onMessage(user().handle)}
          >
            <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
              <path fill="currentColor" d="M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2z" />
            </svg>
          </button>
        </Show>
        <Show when={moderatable()}>
          <button
            type="button"
            class="icon-button"
            aria-label={`Moderate ${user().displayName}`}
            aria-expanded={open()}
            title="Moderate"
            onClick={() => props.onToggle()}
          >
            <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
              <path fill="currentColor" d="M12 1 3 5v6c0 5.55 3.84 10.74 9 12 5.16-1.26 9-6.45 9-12V5l-9-4z" />
            </svg>
          </button>
        </Show>
      </div>
      <Show when={open() && moderatable()}>
        <MemberActions member={props.member} viewerId={props.viewerId} viewerRole={props.viewerRole} actions={props.actions} />
      </Show>
    </li>
  );
};

/** Kick, ban or mute (for a chosen time, with a reason), lift a ban or mute, set the role. */
const MemberActions = (props: { member: Member; viewerId: string; viewerRole: RoomRole | null; actions: ModerationActions }) => {
  const [reason, setReason] = createSignal('');
  const [banFor, setBanFor] = createSignal(BAN_DURATIONS[0]!.id);
  const [muteFor, setMuteFor] = createSignal(MUTE_DURATIONS[0]!.id);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const userId = () => props.member.user.id;
  const idBase = () => `moderate-${props.member.user.handle}`;
  const run = async (action: () => Promise<string | null>) => {
    if (busy()) return;
    setBusy(true);
    setError(null);
    const problem = await action();
    setBusy(false);
    if (problem) setError(problem);
    else setReason('');
  };
  const muted = () => !!props.member.mutedUntil && Date.parse(props.member.mutedUntil) > Date.now();
  const removed = () => props.member.membership === 'BANNED' || props.member.membership === 'KICKED';
  const banned = () => props.member.membership === 'BANNED';
  return (
    <fieldset class="member-actions" disabled={busy()}>
      <legend class="visually-hidden">Moderate {props.member.user.displayName}</legend>
      <label for={`${idBase()}-reason`}>Reason (shown to the room)</label>
      <input
        id={`${idBase()}-reason`}
        type="text"
        maxLength={500}
        placeholder="Optional"
        value={reason()}
        onInput={(e) => setReason(e.currentTarget.value)}
      />
      <Show
        when={!removed()}
        fallback={
          <Show when={banned()} fallback={<p class="hint">Kicked: they may come back, or be invited again.</p>}>
            <div class="action-row">
              <button type="button" class="button button-small" onClick={() => void run(() => props.actions.unban(userId()))}>
                Lift the ban
              </button>
            </div>
          </Show>
        }
      >
        <div class="action-row">
          <button type="button" class="button button-small" onClick={() => void run(() => props.actions.kick(userId(), reason()))}>
            Kick
          </button>
        </div>
        <div class="action-row">
          <label class="visually-hidden" for={`${idBase()}-ban-for`}>
            Ban for
          </label>
          <select id={`${idBase()}-ban-for`} value={banFor()} onChange={(e) => setBanFor(e.currentTarget.value)}>
            {BAN_DURATIONS.map((d) => (
              <option value={d.id}>{d.label}</option>
            ))}
          </select>
          <button
            type="button"
            class="button button-danger button-small"
            onClick={() =>
              void run(() => props.actions.ban(userId(), toUntil(findDuration(BAN_DURATIONS, banFor()), Date.now()), reason()))
            }
          >
            Ban
          </button>
        </div>
        <div class="action-row">
          <Show
            when={!muted()}
            fallback={
              <button type="button" class="button button-small" onClick={() => void run(() => props.actions.unmute(userId()))}>
                Unmute
              </button>
            }
          >
            <label class="visually-hidden" for={`${idBase()}-mute-for`}>
              Mute for
            </label>
            <select id={`${idBase()}-mute-for`} value={muteFor()} onChange={(e) => setMuteFor(e.currentTarget.value)}>
              {MUTE_DURATIONS.map((d) => (
                <option value={d.id}>{d.label}</option>
              ))}
            </select>
            <button
              type="button"
              class="button button-small"
              onClick={() =>
                void run(() => props.actions.mute(userId(), toUntil(findDuration(MUTE_DURATIONS, muteFor()), Date.now()) ?? '', reason()))
              }
            >
              Mute
            </button>
          </Show>
        </div>
        <Show when={canSetRole(props.viewerRole, props.viewerId, userId()) && props.member.membership === 'JOINED'}>
          <div class="action-row">
            <Show
              when={props.member.role === 'MODERATOR'}
              fallback={
                <button
                  type="button"
                  class="button button-small"
                  onClick={() => void run(() => props.actions.setRole(userId(), 'MODERATOR'))}
                >
                  Make moderator
                </button>
              }
            >
              <button type="button" class="button button-small" onClick={() => void run(() => props.actions.setRole(userId(), 'MEMBER'))}>
                Make member
              </button>
            </Show>
          </div>
        </Show>
      </Show>
      <Show when={error()}>
        <p class="form-error" role="alert">
          {error()}
        </p>
      </Show>
    </fieldset>
  );
};

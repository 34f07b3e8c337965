import { For, Show } from 'solid-js';
import type { AuditAction } from '../graphql/gql/graphql.js';
import { formatDateTime, formatTime } from '../ui/format.js';
import { LoadMore } from '../ui/LoadMore.js';
import type { AuditEntry } from './auditLog.js';
import { formatUntil } from './membership.js';

const VERBS: Readonly<Record<AuditAction, string>> = {
  INVITE: 'invited',
  KICK: 'kicked',
  BAN: 'banned',
  UNBAN: 'lifted the ban on',
  MUTE: 'muted',
  UNMUTE: 'unmuted',
  SET_ROLE: 'changed the role of',
  REMOVE_MESSAGE: 'removed a message by',
  RENAME: 'renamed the room',
};

/** "bob banned alice: spam". */
export const auditEntryText = (entry: AuditEntry): string => {
  const target = entry.target?.displayName ?? entry.message?.author.displayName ?? '';
  const what = `${entry.actor.displayName} ${VERBS[entry.action]}${target ? ` ${target}` : ''}`;
  return entry.reason ? `${what}: ${entry.reason}` : what;
};

/** The room's moderation log, newest first (owner and moderators only; the server says so otherwise). */
export const AuditLogPanel = (props: {
  entries: readonly AuditEntry[];
  loading: boolean;
  error: string | null;
  hasMore: boolean;
  onLoadMore: () => void;
  onClose: () => void;
}) => (
  <section class="audit-log" aria-labelledby="audit-heading">
    <div class="audit-head">
      <h2 id="audit-heading">Moderation log</h2>
      <button type="button" class="button button-quiet button-small" onClick={() => props.onClose()}>
        Close
      </button>
    </div>
    <Show when={props.error}>
      <p class="form-error" role="alert">
        {props.error}
      </p>
    </Show>
    <Show when={!props.error && !props.loading && props.entries.length === 0}>
      <p class="empty-note">Nothing has been moderated here yet.</p>
    </Show>
    <ol class="audit-entries">
      <For each={props.entries}>
        {(entry) => (
          <li class="audit-entry" data-action={entry.action}>
            <span class="audit-text">{auditEntryText(entry)}</span>
            <Show when={entry.message?.body}>{(body) => <q class="audit-message">{body()}</q>}</Show>
            <time dateTime={entry.at} title={formatDateTime(entry.at)}>
              {formatUntil(entry.at) || formatTime(entry.at)}
            </time>
          </li>
        )}
      </For>
    </ol>
    <Show when={props.hasMore || props.loading}>
      <LoadMore
        count={props.entries.length}
        loading={props.loading}
        error={null}
        label="Show older entries"
        onLoadMore={() => props.onLoadMore()}
      />
    </Show>
  </section>
);

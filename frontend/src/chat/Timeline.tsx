import { For, Show, createEffect, createMemo, createSignal, on, onCleanup, onMount } from 'solid-js';
import type { RoomRole } from '../graphql/gql/graphql.js';
import { membershipChangeText } from '../members/membership.js';
import { STATUS_LABELS, formatDateTime } from '../ui/format.js';
import { type Row, layoutRows } from './grouping.js';
import { type MessageActions, MessageRow } from './MessageRow.js';
import type { NoticeItem } from './timeline.js';

export interface TimelineHandle {
  scrollToBottom(): void;
  /** Puts a message near the top third of the view; false when it is not shown. */
  scrollToMessage(messageId: string): boolean;
  /** Puts the first row at the top (a jump to a date lands there). */
  scrollToStart(): void;
}

/** Within this many pixels of the end, the timeline follows new messages. */
const STICK_PX = 48;
/** Room left above the "new messages" divider when a room opens at it. */
const DIVIDER_MARGIN_PX = 24;
/** Older messages start loading when the reader gets this close to the top (newer ones, after a jump, this close to the bottom). */
const LOAD_OLDER_PX = 400;

const noticeText = (notice: NoticeItem) =>
  notice.change
    ? membershipChangeText(notice.change)
    : notice.what === 'joined'
      ? `${notice.user.displayName} joined`
      : notice.what === 'left'
        ? `${notice.user.displayName} left`
        : `${notice.user.displayName} is now ${STATUS_LABELS[notice.user.status].toLowerCase()}`;

/**
 * The scrolling list of a room: follows new messages while the reader is at the end, keeps the
 * reader's place when older messages are added above, and asks for older ones near the top.
 */
export const Timeline = (
  props: MessageActions & {
    rows: readonly Row[];
    roomName: string;
    viewerId: string;
    viewerHandle: string;
    viewerRole: RoomRole | null;
    /** Whether the room is a direct conversation or private room (its start says so). */
    roomKind: string | null;
    loaded: boolean;
    hasOlder: boolean;
    loadingOlder: boolean;
    onLoadOlder: () => void;
    /** The message whose editor ArrowUp asked for, if any. */
    editRequestId: string | null;
    onEditDone: () => void;
    /** The row the "new messages" divider goes above (the first unread when the room was opened), or null. */
    dividerKey?: string | null;
    /** After a jump into the past: newer messages load as the reader nears the bottom. */
    hasNewer: boolean;
    loadingNewer: boolean;
    onLoadNewer: () => void;
    onJumpToPresent: () => void;
    /** The viewer may pin and unpin here. */
    canPin: boolean;
    /** The message a jump just landed on, marked for a moment. */
    highlightId: string | null;
    /** Called after every look at where the reader is: at the end (the newest message on screen) or not. */
    onMeasured?: (atEnd: boolean) => void;
    ref?: (handle: TimelineHandle) => void;
  },
) => {
  let scroller: HTMLElement | undefined;
  let list: HTMLOListElement | undefined;
  let stick = true;
  let anchor: { el: Element; top: number } | null = null;
  const [atEnd, setAtEnd] = createSignal(true);
  const [newBelow, setNewBelow] = createSignal(0);
  const [now, setNow] = createSignal(Date.now());
  const layout = createMemo(() => layoutRows(props.rows, now()));

  // "Today" becomes "Yesterday" at midnight.
  const dayTimer = setInterval(() => setNow(Date.now()), 60_000);
  onCleanup(() => clearInterval(dayTimer));

  const scrollToBottom = () => {
    if (!scroller) return;
    scroller.scrollTop = scroller.scrollHeight;
    stick = true;
    anchor = null;
    setAtEnd(true);
    setNewBelow(0);
  };

  /** Remembers where the reader is: at the end, or which row is at the top of the view. */
  const measure = () => {
    if (!scroller || !list) return;
    const below = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
    // Away from the present the end of the list is not the end of the room: nothing to follow.
    stick = !props.hasNewer && below < STICK_PX;
    setAtEnd(stick);
    if (stick) setNewBelow(0);
    anchor = null;
    if (!stick) {
      const top = scroller.getBoundingClientRect().top;
      // Day dividers come and go as pages load; rows stay.
      for (const el of list.querySelectorAll(':scope > [data-row]')) {
        const rect = el.getBoundingClientRect();
        if (rect.bottom > top) {
          anchor = { el, top: rect.top - top };
          break;
        }
      }
    }
    if (scroller.scrollTop < LOAD_OLDER_PX && props.loaded && props.hasOlder && !props.loadingOlder) props.onLoadOlder();
    if (below < LOAD_OLDER_PX && props.loaded && props.hasNewer && !props.loadingNewer) props.onLoadNewer();
    props.onMeasured?.(stick);
  };

  /**
   * Opened with unread messages: start at the divider rather than the end when there is more below
   * it than fits, so the marker moves only once the reader reaches the end. True when it moved.
   */
  const placeDivider = () => {
    const divider = list?.querySelector(':scope > .new-divider');
    if (!scroller || !divider) return false;
    const top = divider.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop;
    if (top - DIVIDER_MARGIN_PX >= scroller.scrollHeight - scroller.clientHeight) return false;
    scroller.scrollTop = Math.max(0, top - DIVIDER_MARGIN_PX);
    measure();
    return true;
  };

  /** After the rows changed: follow the end, or put the remembered row back where it was. */
  const restore = () => {
    if (!scroller) return;
    if (stick) scroller.scrollTop = scroller.scrollHeight;
    else if (anchor?.el.isConnected) {
      const moved = anchor.el.getBoundingClientRect().top - scroller.getBoundingClientRect().top - anchor.top;
      scroller.scrollTop += moved;
    }
    measure();
  };

  let lastKey: string | undefined;
  let placedDivider = false;
  createEffect(
    on(
      () => props.rows,
      (rows) => {
        const key = rows.at(-1)?.key;
        if (!stick && key !== lastKey && lastKey !== undefined) setNewBelow((n) => n + 1);
        lastKey = key;
        // Once, with the first page: the divider is where the reader left off.
        if (!placedDivider && props.loaded) {
          placedDivider = true;
          if (placeDivider()) return;
        }
        restore();
      },
    ),
  );
  // Pages that arrive below while away from the present are not news; the count starts again at it.
  createEffect(
    on(
      () => props.hasNewer,
      () => setNewBelow(0),
      { defer: true },
    ),
  );
  createEffect(
    on(
      () => [props.loadingOlder, props.loadingNewer],
      () => restore(),
      { defer: true },
    ),
  );

  const scrollToMessage = (messageId: string) => {
    const row = list?.querySelector(`:scope > [data-message-id="${CSS.escape(messageId)}"]`);
    if (!scroller || !row) return false;
    const top = row.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop;
    scroller.scrollTop = Math.max(0, top - scroller.clientHeight / 3);
    measure();
    return true;
  };
  const scrollToStart = () => {
    if (!scroller) return;
    // Just below the top's loading margin, so the older page loads only when the reader scrolls up.
    const first = list?.querySelector(':scope > [data-row]');
    const top = first ? first.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop : 0;
    scroller.scrollTop = Math.max(0, top - DIVIDER_MARGIN_PX);
    measure();
  };

  onMount(() => {
    props.ref?.({ scrollToBottom, scrollToMessage, scrollToStart });
    // The composer growing, or the window resizing, must not lose the reader's place.
    const observer = new ResizeObserver(() => restore());
    if (scroller) observer.observe(scroller);
    onCleanup(() => observer.disconnect());
  });

  let frame = 0;
  const onScroll = () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      measure();
    });
  };
  onCleanup(() => cancelAnimationFrame(frame));

  return (
    <div class="timeline-wrap">
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus, or a keyboard cannot scroll it. */}
      <section class="timeline-scroller" ref={scroller} onScroll={onScroll} tabIndex={0} aria-label={`Messages in #${props.roomName}`}>
        <div class="timeline-top">
          <Show
            when={props.loaded}
            fallback={
              <p class="timeline-note">
                <span class="spinner" aria-hidden="true" /> Loading messages…
              </p>
            }
          >
            <Show
              when={props.hasOlder}
              fallback={
                <div class="room-start">
                  <p class="room-start-title">
                    {props.roomKind === 'DIRECT'
                      ? `This is the start of your conversation with ${props.roomName}`
                      : `This is the start of #${props.roomName}`}
                  </p>
                  <p class="subtle">
                    {props.roomKind === 'PUBLIC' || !props.roomKind
                      ? 'Everything said here stays in its history.'
                      : 'Only its members can see it; everything said here stays in its history.'}
                  </p>
                </div>
              }
            >
              <p class="timeline-note">
                <Show
                  when={props.loadingOlder}
                  fallback={
                    <button type="button" class="link-button" onClick={() => props.onLoadOlder()}>
                      Load older messages
                    </button>
                  }
                >
                  <span class="spinner" aria-hidden="true" /> Loading older messages…
                </Show>
              </p>
            </Show>
          </Show>
        </div>
        <ol class="timeline" ref={list} role="log" aria-live="polite" aria-relevant="additions" aria-label={`#${props.roomName}`}>
          <For each={props.rows}>
            {(row) => {
              const rowLayout = () => layout().get(row.key);
              return (
                <>
                  <Show when={row.key === props.dividerKey}>
                    {/* biome-ignore lint/a11y/useSemanticElements: a label between list items, like the day divider. */}
                    {/* biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: as above; the separator is not focusable. */}
                    <li class="new-divider" role="separator">
                      <span>New messages</span>
                    </li>
                  </Show>
                  <Show when={rowLayout()?.dayLabel}>
                    {(label) => (
                      // biome-ignore lint/a11y/useSemanticElements: a day's label between list items; an <hr> holds no text.
                      // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: as above; the separator is not focusable.
                      <li class="day-divider" role="separator">
                        <span>{label()}</span>
                      </li>
                    )}
                  </Show>
                  {row.kind === 'notice' ? (
                    <li class="notice" data-row={row.key} data-kind={row.change?.kind ?? row.what}>
                      <span class="notice-text">{noticeText(row)}</span>
                      <time dateTime={row.at} title={formatDateTime(row.at)} />
                    </li>
                  ) : (
                    <MessageRow
                      row={row}
                      startsGroup={rowLayout()?.startsGroup ?? true}
                      viewerId={props.viewerId}
                      viewerHandle={props.viewerHandle}
                      viewerRole={props.viewerRole}
                      editRequested={row.kind === 'message' && props.editRequestId === row.message.id}
                      canPin={props.canPin}
                      highlighted={row.kind === 'message' && props.highlightId === row.message.id}
                      onReply={props.onReply}
                      onReact={props.onReact}
                      onPin={props.onPin}
                      onOpenThread={props.onOpenThread}
                      onJumpTo={props.onJumpTo}
                      onLoadHistory={props.onLoadHistory}
                      onEditDone={props.onEditDone}
                      onEdit={props.onEdit}
                      onDelete={props.onDelete}
                      onRetry={props.onRetry}
                      onDiscard={props.onDiscard}
                      onRemove={props.onRemove}
                      onMessageUser={props.onMessageUser}
                    />
                  )}
                </>
              );
            }}
          </For>
        </ol>
        <Show when={props.hasNewer && props.loaded}>
          <p class="timeline-note timeline-bottom">
            <Show
              when={props.loadingNewer}
              fallback={
                <button type="button" class="link-button" onClick={() => props.onLoadNewer()}>
                  Load newer messages
                </button>
              }
            >
              <span class="spinner" aria-hidden="true" /> Loading newer messages…
            </Show>
          </p>
        </Show>
      </section>
      <Show
        when={props.hasNewer}
        fallback={
          <Show when={!atEnd()}>
            <button type="button" class="jump-to-end" onClick={scrollToBottom}>
              {newBelow() > 0 ? `${newBelow()} new ↓` : 'Jump to latest ↓'}
            </button>
          </Show>
        }
      >
        <button type="button" class="jump-to-end" onClick={() => props.onJumpToPresent()}>
          Jump to present ↓
        </button>
      </Show>
    </div>
  );
};

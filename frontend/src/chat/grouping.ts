import type { MessageItem, NoticeItem, PendingMessage } from './timeline.js';

export type Row = MessageItem | NoticeItem | PendingMessage;

export interface RowLayout {
  /** Shows the author's avatar, name and time: the first of a run of one author's messages. */
  startsGroup: boolean;
  /** A day divider before this row ("Today", "Yesterday", a date), when the day changes. */
  dayLabel: string | null;
}

/** Consecutive messages of one author this close together share one header. */
export const GROUP_GAP_MS = 5 * 60_000;

const authorOf = (row: Row) => (row.kind === 'message' ? row.message.author.id : row.kind === 'pending' ? row.author.id : null);
const timeOf = (row: Row) => Date.parse(row.kind === 'message' ? row.message.createdAt : row.kind === 'pending' ? row.createdAt : row.at);

const dayKey = (ms: number) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
};

/** "Today", "Yesterday" or a date in the reader's locale. */
export const toDayLabel = (ms: number, now: number, locale?: string): string => {
  if (dayKey(ms) === dayKey(now)) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (dayKey(ms) === dayKey(yesterday.getTime())) return 'Yesterday';
  const sameYear = new Date(ms).getFullYear() === new Date(now).getFullYear();
  return new Date(ms).toLocaleDateString(locale, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    ...(sameYear ? {} : { year: 'numeric' }),
  });
};

/** How each row is laid out, by key: group headers and day dividers. Pure: `now` decides "Today". */
export const layoutRows = (rows: readonly Row[], now: number, locale?: string): Map<string, RowLayout> => {
  const layout = new Map<string, RowLayout>();
  let previous: Row | null = null;
  for (const row of rows) {
    const time = timeOf(row);
    const newDay =
      Number.isFinite(time) && (previous === null || !Number.isFinite(timeOf(previous)) || dayKey(timeOf(previous)) !== dayKey(time));
    const author = authorOf(row);
    const continues =
      !newDay && previous !== null && author !== null && authorOf(previous) === author && time - timeOf(previous) < GROUP_GAP_MS;
    layout.set(row.key, { startsGroup: author !== null && !continues, dayLabel: newDay ? toDayLabel(time, now, locale) : null });
    previous = row;
  }
  return layout;
};

import { find } from 'linkifyjs';

/**
 * A message body cut into pieces the view turns into elements (text nodes, `<a>`, `<span>`): user
 * text is never parsed as HTML anywhere.
 */
export type Segment =
  | { kind: 'text'; text: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'mention'; text: string; handle: string }
  | { kind: 'emoji'; text: string; emoji: string; label: string };

/** The classic emoticons and what they become. Longer ones first where one is a prefix of another. */
export const EMOTICONS: readonly (readonly [string, string, string])[] = [
  [":'(", '😢', 'crying face'],
  ['</3', '💔', 'broken heart'],
  ['<3', '❤️', 'red heart'],
  [':-)', '🙂', 'slightly smiling face'],
  [':)', '🙂', 'slightly smiling face'],
  ['(:', '🙂', 'slightly smiling face'],
  [':-D', '😃', 'grinning face with big eyes'],
  [':D', '😃', 'grinning face with big eyes'],
  ['xD', '😆', 'grinning squinting face'],
  ['XD', '😆', 'grinning squinting face'],
  [';-)', '😉', 'winking face'],
  [';)', '😉', 'winking face'],
  [':-(', '🙁', 'slightly frowning face'],
  [':(', '🙁', 'slightly frowning face'],
  [':-P', '😛', 'face with tongue'],
  [':P', '😛', 'face with tongue'],
  [':-p', '😛', 'face with tongue'],
  [':p', '😛', 'face with tongue'],
  [':-O', '😮', 'face with open mouth'],
  [':O', '😮', 'face with open mouth'],
  [':-o', '😮', 'face with open mouth'],
  [':o', '😮', 'face with open mouth'],
  [':-*', '😘', 'face blowing a kiss'],
  [':*', '😘', 'face blowing a kiss'],
  [':-|', '😐', 'neutral face'],
  [':|', '😐', 'neutral face'],
  [':-/', '😕', 'confused face'],
  [':/', '😕', 'confused face'],
  ['B-)', '😎', 'smiling face with sunglasses'],
  ['8-)', '😎', 'smiling face with sunglasses'],
  ['>:(', '😠', 'angry face'],
  ['o/', '👋', 'waving hand'],
];

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * An emoticon stands alone: at the start or after whitespace, and before the end, whitespace or
 * closing punctuation. So "http://x" or "a:(b" or "12:30" stay as they are.
 */
const EMOTICON_RE = new RegExp(
  `(^|\\s)(${[...EMOTICONS]
    .sort((a, b) => b[0].length - a[0].length)
    .map(([e]) => escapeRegExp(e))
    .join('|')})(?=$|\\s|[.,!?;:)\\]])`,
  'g',
);
const EMOTICON_BY_TEXT = new Map(EMOTICONS.map(([text, emoji, label]) => [text, { emoji, label }]));

/** `@handle` like an X handle (1–15 of [A-Za-z0-9_]), not inside a word or an e-mail address. */
const MENTION_RE = /(^|[^A-Za-z0-9_@.])@([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_@])/g;

/** Links we make clickable: http and https only. */
export const isSafeHref = (href: string): boolean => {
  try {
    const url = new URL(href);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
};

const pushText = (segments: Segment[], text: string) => {
  if (text === '') return;
  const last = segments.at(-1);
  if (last?.kind === 'text') segments[segments.length - 1] = { kind: 'text', text: last.text + text };
  else segments.push({ kind: 'text', text });
};

const splitEmoticons = (text: string, segments: Segment[]) => {
  let last = 0;
  for (const match of text.matchAll(EMOTICON_RE)) {
    const start = match.index + match[1]!.length;
    const found = EMOTICON_BY_TEXT.get(match[2]!)!;
    pushText(segments, text.slice(last, start));
    segments.push({ kind: 'emoji', text: match[2]!, emoji: found.emoji, label: found.label });
    last = start + match[2]!.length;
  }
  pushText(segments, text.slice(last));
};

const splitMentions = (text: string, segments: Segment[]) => {
  let last = 0;
  for (const match of text.matchAll(MENTION_RE)) {
    const start = match.index + match[1]!.length;
    splitEmoticons(text.slice(last, start), segments);
    segments.push({ kind: 'mention', text: `@${match[2]!}`, handle: match[2]! });
    last = start + 1 + match[2]!.length;
  }
  splitEmoticons(text.slice(last), segments);
};

/** Cuts a plain-text body into text, http(s) links, @mentions and emoji. Concatenating every `text` gives the body back. */
export const toSegments = (body: string): Segment[] => {
  const segments: Segment[] = [];
  let last = 0;
  for (const link of find(body, 'url')) {
    if (!isSafeHref(link.href)) continue;
    splitMentions(body.slice(last, link.start), segments);
    segments.push({ kind: 'link', text: link.value, href: link.href });
    last = link.end;
  }
  splitMentions(body.slice(last), segments);
  return segments;
};

/** Does the body mention this handle (case-insensitively, like X)? */
export const mentions = (body: string, handle: string): boolean =>
  toSegments(body).some((s) => s.kind === 'mention' && s.handle.toLowerCase() === handle.toLowerCase());

/** The `rel` of every link in a message: no opener, no referrer, and no endorsement of user content. */
export const LINK_REL = 'noopener noreferrer nofollow ugc';

import { Show, createSignal } from 'solid-js';
import { isSafeHref } from '../chat/richText.js';
import type { UserFieldsFragment } from '../graphql/gql/graphql.js';

/** Stable colour per handle, so one person always looks the same. */
const hue = (seed: string) => {
  let h = 0;
  for (const c of seed) h = (h * 31 + c.charCodeAt(0)) % 360;
  return h;
};

const initials = (name: string) => {
  const letters = name
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(/\s+/)
    .map((w) => [...w][0] ?? '');
  return (letters.length > 1 ? letters[0]! + letters[1]! : [...name.replace(/^@/, '')].slice(0, 2).join('')).toUpperCase();
};

/** A picture when there is one (and it loads), else initials on a colour. Decorative: the name is always next to it. */
export const Avatar = (props: { user: Pick<UserFieldsFragment, 'handle' | 'displayName' | 'avatarUrl'>; size?: number }) => {
  const [broken, setBroken] = createSignal(false);
  const size = () => props.size ?? 36;
  const src = () => (props.user.avatarUrl && isSafeHref(props.user.avatarUrl) && !broken() ? props.user.avatarUrl : null);
  return (
    <span
      class="avatar"
      aria-hidden="true"
      style={{
        width: `${size()}px`,
        height: `${size()}px`,
        'font-size': `${Math.round(size() * 0.4)}px`,
        '--avatar-hue': String(hue(props.user.handle)),
      }}
    >
      <Show when={src()} fallback={initials(props.user.displayName || props.user.handle)}>
        {(url) => (
          <img
            src={url()}
            alt=""
            width={size()}
            height={size()}
            referrerPolicy="no-referrer"
            loading="lazy"
            onError={() => setBroken(true)}
          />
        )}
      </Show>
    </span>
  );
};

import { type Accessor, createSignal } from 'solid-js';
import { expiredClaims, toClaimKey } from './notable.js';

export type NotifyPermission = NotificationPermission | 'unsupported';

export interface DesktopNotifications {
  /** `default` until the person answers the browser's question; `unsupported` without the Notification API. */
  permission: Accessor<NotifyPermission>;
  /** Asks the browser for permission: only ever from a click (browsers ignore it otherwise, and asking on load is rude). */
  request(): Promise<void>;
  /**
   * Shows a notification for a message unless this or another tab of the page already did (the
   * message's Web Lock, held a while by the tab that took it, then a claim keyed by the message id in
   * localStorage for tabs that come later).
   * Answers whether this call showed it.
   */
  notify(messageId: string, text: { title: string; body: string }, roomId: string): Promise<boolean>;
}

/**
 * How long a tab holds a message's lock after claiming it. localStorage reaches other tabs (other
 * renderer processes) only a moment after it is written, so the lock, not the stored claim, is
 * what stops a second tab at first; by the time it is let go, the stored claim is everywhere.
 */
const CLAIM_HOLD_MS = 30_000;

/** Takes the stored claim for a message if nobody has; true when this call took it. */
const takeClaim = (messageId: string): boolean => {
  const key = toClaimKey(messageId);
  try {
    if (localStorage.getItem(key) !== null) return false;
    localStorage.setItem(key, String(Date.now()));
    return true;
  } catch {
    return true; // no storage: the lock alone decides (and this tab's own set stops repeats)
  }
};

/**
 * Claims a message for this tab: its Web Lock, if no other tab holds it, and then the stored claim.
 * Without Web Locks (an insecure context) the stored claim alone decides, which two tabs may both
 * pass in the same instant.
 */
const claimAcrossTabs = (messageId: string): Promise<boolean> => {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return Promise.resolve(takeClaim(messageId));
  return new Promise((resolve) => {
    void locks.request(`balloons:notify:${messageId}`, { ifAvailable: true }, async (lock) => {
      const mine = lock !== null && takeClaim(messageId);
      resolve(mine);
      if (mine) await new Promise((release) => setTimeout(release, CLAIM_HOLD_MS));
    });
  });
};

/** Forgets claims older than a day, so localStorage does not fill up. */
const pruneClaims = () => {
  try {
    const claims: [string, string | null][] = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key) claims.push([key, localStorage.getItem(key)]);
    }
    for (const key of expiredClaims(claims, Date.now())) localStorage.removeItem(key);
  } catch {
    // storage unavailable: nothing to prune
  }
};

/**
 * The browser's Notification API for the signed-in page. Never asks by itself; a tab shows a
 * notification only once per message across all tabs of the origin. Clicking one brings the tab
 * forward and opens the room.
 */
export const createDesktopNotifications = (options: { onOpen: (roomId: string) => void }): DesktopNotifications => {
  const supported = typeof Notification !== 'undefined';
  const [permission, setPermission] = createSignal<NotifyPermission>(supported ? Notification.permission : 'unsupported');
  const shown = new Set<string>();
  pruneClaims();

  const claim = async (messageId: string): Promise<boolean> => {
    if (shown.has(messageId)) return false;
    shown.add(messageId);
    return claimAcrossTabs(messageId);
  };

  return {
    permission,
    async request() {
      if (!supported) return;
      setPermission(await Notification.requestPermission());
    },
    async notify(messageId, text, roomId) {
      if (!supported || Notification.permission !== 'granted') return false;
      if (!(await claim(messageId))) return false;
      const notification = new Notification(text.title, { body: text.body, tag: messageId, data: { roomId, messageId } });
      notification.onclick = () => {
        window.focus();
        options.onOpen(roomId);
        notification.close();
      };
      return true;
    },
  };
};

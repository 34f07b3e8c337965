/** The "edited" popover's list: earlier bodies oldest first, then the body as it is now. Pure. */

export interface MessageVersionView {
  body: string;
  /** The version's time as the server gives it (for the current body: its last edit, or its post). */
  at: string;
  current: boolean;
}

/**
 * `history` is Message.editHistory: each earlier body with its time, oldest first.
 * The current body was written at `editedAt`.
 */
export const toVersions = (
  history: readonly { body: string; at: string }[],
  current: { body: string; editedAt: string | null; createdAt: string },
): MessageVersionView[] => [
  ...history.map((v) => ({ body: v.body, at: v.at, current: false })),
  { body: current.body, at: current.editedAt ?? current.createdAt, current: true },
];

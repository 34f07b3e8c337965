import {
  generateSessionToken,
  isSessionExpired,
  isSessionTokenShaped,
  toNewSession,
  toSessionId,
  toSlidSession,
  type Session,
  type SessionStore,
} from './sessionStore.js';

/**
 * Sessions in this process's memory, for embedded mode (no `REDIS_URL`): one process, nothing
 * survives a restart. Behaves like the Redis store (same contract suite), including the
 * once-a-minute slide, so tests of either say the same thing.
 *
 * @param options.now the clock (epoch ms); tests inject a fake one.
 */
export const createMemorySessionStore = (options: { now?: () => number } = {}): SessionStore => {
  const now = options.now ?? Date.now;
  const sessions = new Map<string, Session>();
  const sessionIdsByUser = new Map<string, Set<string>>();

  const deleteSession = (session: Session) => {
    sessions.delete(session.id);
    const ids = sessionIdsByUser.get(session.userId);
    ids?.delete(session.id);
    if (ids?.size === 0) sessionIdsByUser.delete(session.userId);
  };

  // Nothing else ever removes a session that is never presented again; sign-ins are rare and the
  // map is small in a single process, so a full sweep there is the cheapest place to do it.
  const sweepExpiredSessions = (at: number) => {
    for (const session of sessions.values()) {
      if (isSessionExpired(session, at)) deleteSession(session);
    }
  };

  return {
    async createSession(userId) {
      const at = now();
      sweepExpiredSessions(at);
      const token = generateSessionToken();
      const session = toNewSession(token, userId, at);
      sessions.set(session.id, session);
      const ids = sessionIdsByUser.get(userId) ?? new Set<string>();
      ids.add(session.id);
      sessionIdsByUser.set(userId, ids);
      // Copies everywhere: a caller mutating what it got must not change the stored session.
      return { token, session: { ...session } };
    },

    async validateSessionToken(token) {
      if (!isSessionTokenShaped(token)) return null;
      const stored = sessions.get(toSessionId(token));
      if (!stored) return null;
      const at = now();
      if (isSessionExpired(stored, at)) {
        deleteSession(stored);
        return null;
      }
      const slid = toSlidSession(stored, at);
      if (!slid) return { ...stored };
      sessions.set(slid.id, slid);
      return { ...slid };
    },

    async invalidateSession(sessionId) {
      const stored = sessions.get(sessionId);
      if (!stored) return;
      deleteSession(stored);
    },

    async invalidateUserSessions(userId) {
      const ids = sessionIdsByUser.get(userId);
      if (!ids) return;
      for (const id of ids) sessions.delete(id);
      sessionIdsByUser.delete(userId);
    },

    forget() {
      // Nothing remembered beside the sessions themselves: there is no other instance.
    },

    async close() {
      sessions.clear();
      sessionIdsByUser.clear();
    },
  };
};

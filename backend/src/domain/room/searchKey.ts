// No imports: the web UI folds names with this very function (frontend/src/rooms/roomList.ts), so
// that its live list sorts and filters exactly as the server's directory does.

/**
 * How the room directory compares and searches names: compatibility-folded, accents dropped, lower
 * case, spaces collapsed. "Café" and "CAFE" fold alike.
 */
export const toRoomSearchKey = (name: string): string =>
  name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .normalize('NFC')
    .replace(/\s+/gu, ' ')
    .trim();

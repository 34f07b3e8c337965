import { randomBytes } from 'node:crypto';

/**
 * Ids are random (72 bits), URL-safe and fixed-length. A message id carries its room's id, so a
 * message can be found from its id alone (edit and delete name only the message).
 */
const PART = '[A-Za-z0-9_-]{12}';
const ROOM_ID = new RegExp(`^${PART}$`);
const MESSAGE_ID = new RegExp(`^(${PART})\\.${PART}$`);

// Random bytes drawn from the system in batches: one draw per id cost more than the rest of making it.
const PART_BYTES = 9;
const POOL_PARTS = 256;
let pool = randomBytes(PART_BYTES * POOL_PARTS);
let poolOffset = 0;
const randomPart = () => {
  if (poolOffset === pool.length) {
    pool = randomBytes(PART_BYTES * POOL_PARTS);
    poolOffset = 0;
  }
  poolOffset += PART_BYTES;
  return pool.toString('base64url', poolOffset - PART_BYTES, poolOffset);
};

export const newRoomId = (): string => randomPart();
export const newMessageId = (roomId: string): string => `${roomId}.${randomPart()}`;

export const isRoomId = (value: string): boolean => ROOM_ID.test(value);
/** The room of a message id, or null when the id is not one of ours. */
export const toMessageRoomId = (messageId: string): string | null => MESSAGE_ID.exec(messageId)?.[1] ?? null;

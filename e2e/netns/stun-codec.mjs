// @ts-check
// The little of STUN (RFC 8489) and TURN (RFC 8656) the probes speak: building a request with
// attributes and, for the long-term credential mechanism, MESSAGE-INTEGRITY; reading a response's
// class, attributes, error code and (XOR-)address attributes. Plain Node, no dependencies.

import { createHash, createHmac, randomBytes } from 'node:crypto';

export const MAGIC_COOKIE = 0x2112a442;

/** Methods and attribute types used here. */
export const METHOD = { binding: 0x001, allocate: 0x003, refresh: 0x004, createPermission: 0x008 };
export const ATTR = {
  mappedAddress: 0x0001,
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  lifetime: 0x000d,
  xorPeerAddress: 0x0012,
  realm: 0x0014,
  nonce: 0x0015,
  xorRelayedAddress: 0x0016,
  requestedTransport: 0x0019,
  xorMappedAddress: 0x0020,
};

/** @typedef {{ type: number, value: Buffer }} Attribute */
/** @typedef {{ method: number, cls: 'request' | 'success' | 'error' | 'indication', transactionId: Buffer, attributes: Attribute[] }} Message */

/** @param {string} text @returns {{ host: string, port: number }} */
export function endpoint(text) {
  const match = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(text);
  if (!match) throw new Error(`expected IP:PORT, got ${text}`);
  return { host: match[1] ?? '', port: Number(match[2]) };
}

/** @param {Buffer} value */
const padded = (value) => Buffer.concat([value, Buffer.alloc((4 - (value.length % 4)) % 4)]);

/** @param {number} type @param {Buffer} value */
const encodeAttribute = (type, value) => {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(value.length, 2);
  return Buffer.concat([header, padded(value)]);
};

/**
 * A request of `method` with `attributes`; with `key`, MESSAGE-INTEGRITY last (RFC 8489 §14.5:
 * the HMAC covers the message with its length field already counting the integrity attribute).
 * @param {number} method @param {Attribute[]} attributes @param {Buffer} [key]
 */
export function request(method, attributes = [], key) {
  const header = Buffer.alloc(20);
  // The class bits (C1 C0 = 00: a request) sit between the method's bits.
  header.writeUInt16BE((method & 0xf) | ((method & 0x70) << 1) | ((method & 0xf80) << 2), 0);
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  randomBytes(12).copy(header, 8);
  const body = Buffer.concat(attributes.map((a) => encodeAttribute(a.type, a.value)));
  if (!key) {
    header.writeUInt16BE(body.length, 2);
    return Buffer.concat([header, body]);
  }
  header.writeUInt16BE(body.length + 24, 2);
  const hmac = createHmac('sha1', key)
    .update(Buffer.concat([header, body]))
    .digest();
  return Buffer.concat([header, body, encodeAttribute(ATTR.messageIntegrity, hmac)]);
}

/** The long-term credential key: MD5(username ":" realm ":" password), RFC 8489 §9.2.2. */
export function longTermKey(
  /** @type {string} */ username,
  /** @type {string} */ realm,
  /** @type {string} */ password,
) {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest();
}

/** @param {Buffer} data @returns {Message | null} */
export function parse(data) {
  if (data.length < 20 || data.readUInt32BE(4) !== MAGIC_COOKIE) return null;
  const type = data.readUInt16BE(0);
  const classBits = ((type >> 7) & 0x2) | ((type >> 4) & 0x1);
  const method = (type & 0x000f) | ((type >> 1) & 0x0070) | ((type >> 2) & 0x0f80);
  const cls = /** @type {const} */ (['request', 'indication', 'success', 'error'])[classBits];
  if (!cls) return null;
  /** @type {Attribute[]} */
  const attributes = [];
  const end = Math.min(data.length, 20 + data.readUInt16BE(2));
  for (let at = 20; at + 4 <= end;) {
    const length = data.readUInt16BE(at + 2);
    attributes.push({ type: data.readUInt16BE(at), value: data.subarray(at + 4, at + 4 + length) });
    at += 4 + Math.ceil(length / 4) * 4;
  }
  return { method, cls, transactionId: data.subarray(8, 20), attributes };
}

/** @param {Message} message @param {number} type */
export function attribute(message, type) {
  return message.attributes.find((a) => a.type === type)?.value;
}

/** The ERROR-CODE attribute's code (e.g. 401), or 0 without one. @param {Message} message */
export function errorCode(message) {
  const value = attribute(message, ATTR.errorCode);
  return value && value.length >= 4 ? (value[2] ?? 0) * 100 + (value[3] ?? 0) : 0;
}

/** An IPv4 (XOR-)address attribute as IP:PORT. @param {Buffer | undefined} value @param {boolean} xor */
export function addressOf(value, xor) {
  if (!value || value.length < 8 || value[1] !== 0x01) return null;
  const port = value.readUInt16BE(2) ^ (xor ? MAGIC_COOKIE >>> 16 : 0);
  const address = (value.readUInt32BE(4) ^ (xor ? MAGIC_COOKIE : 0)) >>> 0;
  return `${[24, 16, 8, 0].map((shift) => (address >>> shift) & 0xff).join('.')}:${port}`;
}

/** An XOR-PEER-ADDRESS (or other XOR address) attribute value for IP:PORT. @param {string} text */
export function xorAddress(text) {
  const { host, port } = endpoint(text);
  const value = Buffer.alloc(8);
  value[1] = 0x01;
  value.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), 2);
  const address = host.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  value.writeUInt32BE((address ^ MAGIC_COOKIE) >>> 0, 4);
  return value;
}

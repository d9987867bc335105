import { randomBytes } from 'crypto';

/**
 * A value with the layout of a sealed-secrets ciphertext (2-byte big-endian length of the RSA-wrapped session key,
 * the wrapped key, then an AES-GCM ciphertext with its 16-byte tag), of random bytes: the construct checks the shape,
 * only the controller can check the cryptography.
 */
export function sealedValue(rsaBytes = 512, plaintextBytes = 16): string {
  const header = Buffer.alloc(2);
  header.writeUInt16BE(rsaBytes);
  return Buffer.concat([header, randomBytes(rsaBytes + plaintextBytes + 16)]).toString('base64');
}

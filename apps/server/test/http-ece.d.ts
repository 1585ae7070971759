/** The part of http_ece (RFC 8188 / RFC 8291) the push receiver uses; the package ships no types. */
declare module 'http_ece' {
  import { type ECDH } from 'node:crypto';

  export interface DecryptParams {
    version?: 'aes128gcm' | 'aesgcm';
    /** The receiver's (browser's) key pair; the sender's public key comes from the aes128gcm header. */
    privateKey?: ECDH;
    /** The subscription's auth secret, base64url. */
    authSecret?: string;
  }

  export function decrypt(buffer: Buffer, params: DecryptParams): Buffer;
}

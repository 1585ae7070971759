import { parse } from 'node:url';

/**
 * The push services of the major browsers: a subscription's endpoint is a URL the browser hands us
 * and the server will POST to, so only these are accepted by default (no SSRF into the operator's
 * network). `https://*.host` matches any subdomain of `host`.
 */
export const DEFAULT_PUSH_ORIGINS = [
  'https://fcm.googleapis.com', // Chrome, Edge (Chromium), Opera, Samsung Internet
  'https://updates.push.services.mozilla.com', // Firefox
  'https://web.push.apple.com', // Safari
  'https://*.notify.windows.com', // legacy Edge
] as const;

/** Why an endpoint is refused, or null when the server may POST to it. */
export function endpointProblem(endpoint: string, allowed: readonly string[]): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'endpoint is not a URL';
  }
  if (url.protocol !== 'https:') return 'endpoint must be an https: URL';
  if (url.username || url.password) return 'endpoint must not carry credentials';
  // Only plain host names: the push library parses the URL again with the legacy parser, which reads
  // `https://10.0.0.1;.notify.windows.com/` as host 10.0.0.1. Both parsers must name the same host.
  if (!/^[a-z0-9.-]+$/.test(url.hostname) || parse(endpoint).hostname !== url.hostname) {
    return 'endpoint host must be a plain host name';
  }
  const ok = allowed.some((origin) => {
    const wildcard = /^https:\/\/\*\.(.+)$/.exec(origin);
    if (!wildcard) return url.origin === origin;
    return url.port === '' && url.hostname.endsWith(`.${wildcard[1]}`);
  });
  return ok ? null : `endpoint origin ${url.origin} is not a known push service (PUSH_ENDPOINT_ORIGINS)`;
}

/** Verifies an RS256/ES256 token's signature (and exp/nbf) by a key of the JWKS; resolves with its claims. */
export type JwksVerifier = (token: string) => Promise<unknown>;

/** A key set refetched when an unknown `kid` arrives, at most once every 30 s. */
const REFETCH_COOLDOWN_MS = 30_000;
const FETCH_TIMEOUT_MS = 5000;

/**
 * The JWKS at `url`, through jose (loaded on first use, so a server without JWT_JWKS_URL never loads
 * it). Keys are cached; a `kid` missing from the cache triggers one refetch per cooldown, which is
 * how rotated keys are picked up.
 */
export function jwksVerifier(url: string): JwksVerifier {
  let verify: Promise<JwksVerifier> | undefined;
  return async (token) => {
    verify ??= import('jose').then(({ createRemoteJWKSet, jwtVerify }) => {
      const keys = createRemoteJWKSet(new URL(url), {
        cooldownDuration: REFETCH_COOLDOWN_MS,
        timeoutDuration: FETCH_TIMEOUT_MS,
      });
      return async (t: string) => (await jwtVerify(t, keys, { algorithms: ['RS256', 'ES256'] })).payload;
    });
    return (await verify)(token);
  };
}

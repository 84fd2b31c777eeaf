/**
 * `keyroll/tokens`: encrypted, expiring tokens (PASETO v4.local) under a
 * keyring, for signed links, password-reset and invitation tokens and
 * service-to-service calls. Issue with the active key; verify with any
 * active, pending or `decrypt-only` key, picked by the footer's `kid`.
 * See docs/tokens.md.
 * @module keyroll/tokens
 */
export { issueToken, type IssueOptions } from './issue.js';
export { verifyToken, inspectToken, MAX_CLOCK_SKEW, type VerifyOptions, type TokenInfo } from './verify.js';
export type { TokenClaims, Restrictions, ClaimOptions } from './claims.js';
export type { Expectations } from './check.js';
export type { Observed, RestrictClaim } from './restrictions.js';
export type { Duration, Instant } from './time.js';
export type { TokenKeyring } from './derive.js';
export { MAX_TOKEN_LENGTH } from './parse.js';

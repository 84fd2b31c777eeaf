/**
 * Masking ids and names that look like secrets. An operator who swaps two
 * values (`ENCRYPTION_KEY` and `ACTIVE_ENCRYPTION_KEY_NAME`, an id and a
 * secret in a document, a secret passed where a variable name belongs)
 * puts a secret where keyroll would echo an id or a name; errors and CLI
 * output show such a value as `<redacted N-char value>` and say why.
 * docs/security.md states the rule.
 * @module
 */

/**
 * True when `value` looks like a secret rather than a name: at least 32
 * characters, and either only hex digits, or only base64/base64url
 * characters with upper case, lower case and digits all present (as random
 * keys are, and as names seldom are). Shorter secrets are caught by the
 * callers' swap checks instead (a value that fails as a secret but is
 * shaped as an id).
 * @example
 * ```ts
 * looksLikeSecret('0EE0D33AC67E4389AB2B46123729B875'); // true
 * looksLikeSecret('payments-2026-01');                 // false
 * ```
 */
export function looksLikeSecret(value: string): boolean {
  if (value.length < 32) return false;
  if (/^[0-9a-fA-F]+$/.test(value)) return true;
  return /^[A-Za-z0-9+/_=-]+$/.test(value) && /[A-Z]/.test(value) && /[a-z]/.test(value) && /[0-9]/.test(value);
}

/**
 * What is shown in place of a value that may be a secret.
 * @example
 * ```ts
 * redacted('0EE0D33AC67E4389AB2B46123729B875'); // '<redacted 32-char value>'
 * ```
 */
export function redacted(value: string): string {
  return `<redacted ${[...value].length}-char value>`;
}

/** Said once in a message that shows a redacted id. */
export const REDACTED_NOTE = ' (its id looks like a secret, so it is not shown: are an id and a secret swapped?)';

/**
 * `key "<id>"` for a message, or `key <redacted N-char value> (...)` when the
 * id looks like a secret or `masked` is true; `details` carries `keyId` only
 * when it is shown.
 * @example
 * ```ts
 * const { label, details } = keyLabel(id);
 * fail('ERR_INVALID_KEY', `${label}: the secret is too short`, details);
 * ```
 */
export function keyLabel(id: string, masked = false): { label: string; details: { keyId?: string } } {
  if (masked || looksLikeSecret(id)) return { label: `key ${redacted(id)}${REDACTED_NOTE}`, details: {} };
  return { label: `key "${id}"`, details: { keyId: id } };
}

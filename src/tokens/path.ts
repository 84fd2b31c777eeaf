/**
 * The path restriction's allowlist. A request path is accepted only in a
 * plain form that every server maps to the same file: RFC 3986 path
 * characters without `;` (path parameters such as `..;`), then one strict
 * percent-decode, after which a `%` (double encoding), `\`, `/` from `%2F`,
 * control characters, non-ASCII bytes (overlong UTF-8 such as `%C0%AE`,
 * fullwidth dots), empty segments and dot segments are refused. Only then is
 * the prefix compared. A whole URL is checked on its raw path, never on the
 * `pathname` of `new URL()`, which resolves `..` and `%2e%2e` away. Pure.
 * @module
 */

// RFC 3986 pchar (unreserved, pct-encoded, sub-delims without ";", ":" and "@") and "/".
const RAW_PATH = /^\/(?:[A-Za-z0-9\-._~!$&'()*+,=:@/]|%[0-9A-Fa-f]{2})*$/;
const URL_PREFIX = /^[A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/[^/?#\\]*/;
/** Longest path considered; longer ones are refused. */
export const MAX_PATH_LENGTH = 8192;

/**
 * The decoded, checked form of a raw path (`/a/b%20c` -> `/a/b c`), or
 * `undefined` when it is not a plain absolute path (see the module doc). A
 * trailing `/` is kept; it is the only empty segment allowed.
 * @example
 * ```ts
 * plainPath('/videos/a%20b.mp4'); // '/videos/a b.mp4'
 * plainPath('/videos/%252e%252e/admin'); // undefined
 * ```
 */
export function plainPath(raw: string): string | undefined {
  if (raw.length > MAX_PATH_LENGTH || !RAW_PATH.test(raw)) return undefined;
  const segments = raw.slice(1).split('/');
  const out: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = decodeSegment(segments[i]!);
    if (segment === undefined) return undefined;
    const last = i === segments.length - 1;
    if ((segment === '' && !(last && i > 0)) || segment === '.' || segment === '..') {
      // The root "/" alone is the one path whose only segment is empty.
      if (segment === '' && segments.length === 1) return '/';
      return undefined;
    }
    out.push(segment);
  }
  return `/${out.join('/')}`;
}

function decodeSegment(segment: string): string | undefined {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    let code = segment.charCodeAt(i);
    if (code === 0x25) {
      code = Number.parseInt(segment.slice(i + 1, i + 3), 16);
      i += 2;
    }
    // After one decode: no "%" left (double encoding), no "/" or "\", no controls, ASCII only.
    if (code < 0x20 || code > 0x7e || code === 0x25 || code === 0x2f || code === 0x5c) return undefined;
    out += String.fromCharCode(code);
  }
  return out;
}

/**
 * The raw path of what a verifier observed: a path, or a whole URL whose
 * path is taken as written (query and fragment dropped), then {@link plainPath}.
 * @example
 * ```ts
 * observedPath('https://cdn.example/videos/a.mp4?sig=1'); // '/videos/a.mp4'
 * observedPath('https://x/videos/a/../b'); // undefined
 * ```
 */
export function observedPath(observed: string): string | undefined {
  let rest = observed;
  if (!rest.startsWith('/')) {
    const scheme = URL_PREFIX.exec(rest);
    if (scheme === null) return undefined;
    rest = rest.slice(scheme[0].length);
    if (rest.startsWith('\\')) return undefined;
  }
  const cut = rest.search(/[?#]/);
  const raw = cut === -1 ? rest : rest.slice(0, cut);
  return plainPath(raw === '' ? '/' : raw);
}

/**
 * True when a checked path lies under a checked prefix at a segment
 * boundary: `/videos` allows `/videos` and `/videos/a`, not `/videos-private`.
 * @example
 * ```ts
 * underPrefix('/videos/a.mp4', '/videos/'); // true
 * ```
 */
export function underPrefix(path: string, prefix: string): boolean {
  return path === prefix || (path.startsWith(prefix) && (prefix.endsWith('/') || path[prefix.length] === '/'));
}

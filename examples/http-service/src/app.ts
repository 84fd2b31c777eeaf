/**
 * The HTTP surface, on node:http only:
 *   PUT    /users/:id/token   body `{"token": "..."}`  -> 204
 *   GET    /users/:id/token                            -> 200 `{"token", "keyId", "reencrypted"}`
 *   DELETE /users/:id/token                            -> 204, or 404
 *   GET    /health                                     -> 200 `{"ok": true, "activeKeyId", "keyring", "pending"}`
 *          (`keyring`: the keyring's fingerprint, the same on every instance that loaded the same keyring)
 * A real service would authenticate callers first; that is out of scope here.
 * @module
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { KeyrollError, type Keyring } from 'keyroll';
import type { TokenStore } from './token-store.js';

const ROUTE = /^\/users\/([A-Za-z0-9_-]{1,64})\/token$/;
const MAX_BODY = 16 * 1024;

/** What the handler needs. */
export interface AppOptions {
  readonly store: TokenStore;
  readonly ring: () => Keyring;
  /** Called with every unexpected error; the client only sees its code. Default: console.error of the code. */
  readonly onError?: (err: unknown) => void;
}

/**
 * The request handler, for `http.createServer(createApp(...))`.
 * @example
 * ```ts
 * http.createServer(createApp({ store, ring: () => ring })).listen(8080);
 * ```
 */
export function createApp(options: AppOptions): RequestListener {
  const onError = options.onError ?? ((err) => console.error('request failed:', err instanceof KeyrollError ? err.code : err));
  return (req, res) => {
    route(req, res, options).catch((err: unknown) => {
      onError(err);
      // Never echo the stored value or the message of an unknown error to the client.
      const code = err instanceof KeyrollError ? err.code : 'ERR_INTERNAL';
      if (!res.headersSent) send(res, 500, { error: code });
      else res.destroy();
    });
  };
}

async function route(req: IncomingMessage, res: ServerResponse, { store, ring }: AppOptions): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path === '/health' && req.method === 'GET') return send(res, 200, health(ring()));
  const id = ROUTE.exec(path)?.[1];
  if (id === undefined) return send(res, 404, { error: 'not found' });
  switch (req.method) {
    case 'GET': {
      const read = await store.get(id);
      return read === undefined ? send(res, 404, { error: 'no token for this user' }) : send(res, 200, read);
    }
    case 'PUT': {
      const token = tokenFrom(await readBody(req));
      if (token === undefined) return send(res, 400, { error: 'body must be JSON {"token": "<1 to 4096 characters>"}' });
      store.put(id, token);
      return send(res, 204);
    }
    case 'DELETE':
      return store.delete(id) ? send(res, 204) : send(res, 404, { error: 'no token for this user' });
    default:
      res.setHeader('allow', 'GET, PUT, DELETE');
      return send(res, 405, { error: 'method not allowed' });
  }
}

/** What an operator compares across instances during a rotation: never secrets. */
function health(ring: Keyring): object {
  const pending = ring.keys().filter((k) => k.state === 'pending').map((k) => ({ id: k.id, activatesAt: k.activatesAt }));
  return { ok: true, activeKeyId: ring.activeKeyId, keyring: ring.fingerprint(), pending };
}

function tokenFrom(body: string | undefined): string | undefined {
  if (body === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined; // the body holds a secret: do not log the parser's message, which quotes it
  }
  const token = (parsed as { token?: unknown } | null)?.token;
  return typeof token === 'string' && token.length > 0 && token.length <= 4096 ? token : undefined;
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

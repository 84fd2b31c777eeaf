/**
 * Starts the service. Configuration comes from the environment:
 *   KEYROLL_KEYRING (the keyring document as JSON), or KEYROLL_KEYRING_FILE
 *     (plus KEYROLL_MASTER_KEY or KEYROLL_PASSPHRASE for a sealed file): see `Keyring.fromEnv`
 *   DATABASE_PATH   SQLite file, default `tokens.db`
 *   PORT            default 8080
 * SIGHUP reloads the keyring from the environment's files (a rotation without a restart).
 * @module
 */
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { Keyring } from 'keyroll';
import { createApp } from './app.js';
import { TokenStore, migrate } from './token-store.js';

/**
 * Builds the server from an environment; `listen` is left to the caller.
 * @example
 * ```ts
 * const server = await startService(process.env);
 * server.listen(8080);
 * ```
 */
export async function startService(env: Readonly<Record<string, string | undefined>>): Promise<http.Server> {
  let ring = await Keyring.fromEnv(env);
  const db = new Database(env['DATABASE_PATH'] ?? 'tokens.db');
  db.pragma('journal_mode = WAL');
  migrate(db);
  const store = new TokenStore(db, () => ring);
  const server = http.createServer(createApp({ store, ring: () => ring }));
  const reload = (): void => {
    Keyring.fromEnv(env).then(
      (next) => {
        ring = next;
        console.log(`keyring reloaded, active key ${ring.activeKeyId}`);
      },
      (err: unknown) => console.error('keyring reload failed, keeping the old one:', (err as { code?: string }).code ?? err),
    );
  };
  process.on('SIGHUP', reload);
  server.on('close', () => {
    process.off('SIGHUP', reload);
    db.close();
  });
  return server;
}

// Run directly (`node dist/main.js` or `npx tsx src/main.ts`): listen on PORT.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env['PORT'] ?? 8080);
  const server = await startService(process.env);
  server.listen(port, () => console.log(`http-service listening on :${port}`));
}

/**
 * Starts the service. Configuration comes from the environment:
 *   KEYROLL_KEYRING (the keyring document as JSON), or KEYROLL_KEYRING_FILE
 *     (plus KEYROLL_MASTER_KEY or KEYROLL_PASSPHRASE for a sealed file): see `Keyring.fromEnv`
 *   KEYROLL_KEYRING_WATCH  a keyring file or a mounted secret directory to load and follow
 *     (reloaded when it changes, e.g. when Kubernetes updates the secret); a sealed file is
 *     unlocked with KEYROLL_MASTER_KEY or KEYROLL_PASSPHRASE
 *   DATABASE_PATH   SQLite file, default `tokens.db`
 *   PORT            default 8080
 * SIGHUP reloads the keyring from the environment's files (a rotation without a restart).
 * @module
 */
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { Keyring, type WatchOptions } from 'keyroll';
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
  const watchPath = env['KEYROLL_KEYRING_WATCH'];
  const watcher = watchPath === undefined || watchPath === '' ? undefined : await Keyring.watch(watchPath, watchOptions(env));
  let ring = watcher?.current ?? (await Keyring.fromEnv(env));
  const current = (): Keyring => watcher?.current ?? ring;
  const db = new Database(env['DATABASE_PATH'] ?? 'tokens.db');
  db.pragma('journal_mode = WAL');
  migrate(db);
  const store = new TokenStore(db, current);
  const server = http.createServer(createApp({ store, ring: current }));
  const reload = (): void => {
    if (watcher !== undefined) {
      void watcher.reload();
      return;
    }
    Keyring.fromEnv(env).then(
      (next) => {
        ring = next;
        console.log(`keyring reloaded: ${ring.fingerprint()}, active key ${ring.activeKeyId}`);
      },
      (err: unknown) => console.error('keyring reload failed, keeping the old one:', (err as { code?: string }).code ?? err),
    );
  };
  process.on('SIGHUP', reload);
  server.on('close', () => {
    process.off('SIGHUP', reload);
    void watcher?.close();
    db.close();
  });
  return server;
}

function watchOptions(env: Readonly<Record<string, string | undefined>>): WatchOptions {
  const master = env['KEYROLL_MASTER_KEY'];
  const passphrase = env['KEYROLL_PASSPHRASE'];
  const unlock = master ? { masterKey: master } : passphrase ? { passphrase } : undefined;
  return {
    ...(unlock ? { unlock } : {}),
    onReload: (next) => console.log(`keyring reloaded: ${next.fingerprint()}, active key ${next.activeKeyId}`),
    // The message names the file and the rule, never a secret; the last good keyring stays in use.
    onError: (err) => console.error(`keyring not reloaded, keeping the previous one: ${err.code}: ${err.message}`),
  };
}

// Run directly (`node dist/main.js` or `npx tsx src/main.ts`): listen on PORT.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env['PORT'] ?? 8080);
  const server = await startService(process.env);
  // `npm start` runs tsx, which runs this file in a child process: SIGHUP goes to this pid, printed here.
  server.listen(port, () => console.log(`http-service listening on :${port} (pid ${process.pid}; \`kill -HUP ${process.pid}\` reloads the keyring)`));
}

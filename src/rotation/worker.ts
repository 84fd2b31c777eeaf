/**
 * A re-encryption worker thread (built as dist/rotation-worker.js): holds a
 * keyring made from the document it was started with and answers pages of
 * rows with their outcomes. Errors it sends back carry a message only,
 * which never holds key material or values (KeyrollErrors are outcomes).
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Keyring } from '../keyring/keyring.js';
import { decodersFrom } from './legacy/config.js';
import { refreshRow, type RowMode } from './refresh-row.js';
import { toWire, unpackPage, type Page, type PoolMode } from './pool.js';

const data = workerData as { keyring: object; now: number; mode: PoolMode };
const ring = Keyring.fromJSON(data.keyring, { clock: () => data.now });
// Legacy decoders and the index definition arrive as data and are rebuilt here once.
const mode: RowMode = {
  fromPlaintext: data.mode.fromPlaintext,
  ...(data.mode.legacy === undefined ? {} : { legacy: decodersFrom(data.mode.legacy) }),
  ...(data.mode.blindIndex === undefined ? {} : { blindIndex: data.mode.blindIndex }),
};

parentPort!.on('message', (message: Page) => {
  try {
    const outcomes = unpackPage(message).map((work) => toWire(refreshRow(ring, work, mode)));
    parentPort!.postMessage({ id: message.id, outcomes });
  } catch (err) {
    parentPort!.postMessage({ id: message.id, error: err instanceof Error ? `${err.name}: ${err.message}` : 'unknown error' });
  }
});

/**
 * `keyroll status`: the keyring's fingerprint, active key and pending keys,
 * to compare with what every running instance reports.
 * @module
 */
import { EXIT, type Command } from '../command.js';
import { KEYRING_HELP, KEYRING_OPTIONS, loadKeyringArg } from '../keyring-file.js';

export const statusCommand: Command = {
  name: 'status',
  summary: "print the keyring's fingerprint, active key and pending activations",
  help: [
    'Usage: keyroll status (--keyring FILE | --keyring-env) [--json] [--master-key-env NAME | --passphrase-env NAME]',
    '',
    "Prints the keyring's fingerprint (the value ring.fingerprint() returns in a service",
    'that loaded this keyring: compare it with what every instance reports before a',
    'pending key activates), the active key, and each pending key with its activation',
    'time and the time left. Never prints secrets.',
    '',
    'Options:',
    ...KEYRING_HELP,
    '  --json                  print {"fingerprint", "activeKeyId", "keys", "pending": [{"id", "activatesAt", "inSeconds"}]}',
    '',
    'Example:',
    '  keyroll status --keyring keyring.json',
    '  for pod in $(kubectl get pods -l app=web -o name); do kubectl exec "$pod" -- wget -qO- localhost:8080/healthz; done',
  ].join('\n'),
  options: { ...KEYRING_OPTIONS, json: { type: 'boolean' } },
  async run({ values }, io) {
    const { ring } = await loadKeyringArg(values, io);
    const now = ring.now().getTime();
    const pending = ring
      .keys()
      .filter((k) => k.state === 'pending')
      .map((k) => ({ id: k.id, activatesAt: k.activatesAt!, inSeconds: Math.round((Date.parse(k.activatesAt!) - now) / 1000) }));
    if (values['json'] === true) {
      io.stdout.write(`${JSON.stringify({ fingerprint: ring.fingerprint(), activeKeyId: ring.activeKeyId, keys: ring.keys(), pending })}\n`);
      return EXIT.OK;
    }
    io.stdout.write(`fingerprint  ${ring.fingerprint()}\n`);
    io.stdout.write(`active       ${ring.activeKeyId}\n`);
    for (const p of pending) io.stdout.write(`pending      ${p.id} activates at ${p.activatesAt} (in ${duration(p.inSeconds)})\n`);
    const counts = new Map<string, number>();
    for (const k of ring.keys()) counts.set(k.state, (counts.get(k.state) ?? 0) + 1);
    io.stdout.write(`keys         ${[...counts].map(([state, n]) => `${n} ${state}`).join(', ')}\n`);
    return EXIT.OK;
  },
};

/** A duration in seconds as `1h 5m`, `42s`, `3d 4h`. */
export function duration(seconds: number): string {
  const s = Math.max(0, seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

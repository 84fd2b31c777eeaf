// Prints the sizes the README states: the packed tarball, its unpacked size,
// and each entry point bundled and minified with esbuild (what an application
// bundler would add), raw and gzipped. Needs dist/ (npm run build).
// Usage: node .ci/sizes.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--loglevel=error'], { encoding: 'utf8' }));
const maps = packed.files.filter((f) => f.path.endsWith('.map')).reduce((sum, f) => sum + f.size, 0);
console.log(`tarball: ${kib(packed.size)} packed, ${kib(packed.unpackedSize)} unpacked in ${packed.entryCount} files (${kib(maps)} of it source maps); runtime dependencies: ${Object.keys(pkg.dependencies ?? {}).length}`);

for (const subpath of Object.keys(pkg.exports).filter((s) => !s.endsWith('.json'))) {
  const file = pkg.exports[subpath].import.default;
  const result = await build({
    entryPoints: [file],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    // Optional peer dependencies are the application's, not ours.
    external: Object.keys(pkg.peerDependencies ?? {}),
  });
  const code = result.outputFiles[0].contents;
  console.log(`${('keyroll' + subpath.slice(1)).padEnd(24)} ${kib(code.length).padStart(10)} minified, ${kib(gzipSync(code, { level: 9 }).length).padStart(9)} minified + gzip`);
}

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    // Generous: process, database and Prisma tests run for tens of seconds on a loaded 2-core machine;
    // a timeout is a hang detector here, never a speed check (speed is npm run bench).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});

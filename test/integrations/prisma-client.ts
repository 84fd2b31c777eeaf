/**
 * Generates a Prisma 7 client for a test schema, offline: `prisma generate`
 * never runs the schema engine, but the CLI would download it unless
 * PRISMA_SCHEMA_ENGINE_BINARY names an executable (a stub here).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MODELS = `
model User {
  id       Int     @id @default(autoincrement())
  email    String
  emailIdx String
  phone    String?
  posts    Post[]
}
model Post {
  id     Int    @id @default(autoincrement())
  body   String
  userId Int
  user   User   @relation(fields: [userId], references: [id])
}
`;

export const SQL = {
  sqlite: [
    'CREATE TABLE "User" (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL, emailIdx TEXT NOT NULL, phone TEXT)',
    'CREATE TABLE "Post" (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, userId INTEGER NOT NULL REFERENCES "User"(id))',
  ],
  postgresql: [
    'CREATE TABLE "User" (id serial PRIMARY KEY, email text NOT NULL, "emailIdx" text NOT NULL, phone text)',
    'CREATE TABLE "Post" (id serial PRIMARY KEY, body text NOT NULL, "userId" integer NOT NULL REFERENCES "User"(id))',
  ],
};

/** Generates the client into `dir` and returns the path of its entry (client.ts). */
export function generateClient(dir: string, provider: 'sqlite' | 'postgresql'): string {
  mkdirSync(dir, { recursive: true });
  const stub = join(dir, 'schema-engine-stub');
  writeFileSync(stub, '#!/bin/sh\nexit 0\n');
  chmodSync(stub, 0o755);
  const schema = join(dir, 'schema.prisma');
  writeFileSync(schema, `generator client {\n  provider = "prisma-client"\n  output   = "./generated"\n}\ndatasource db {\n  provider = "${provider}"\n}\n${MODELS}`);
  const cli = join(import.meta.dirname, '..', '..', 'node_modules', 'prisma', 'build', 'index.js');
  execFileSync(process.execPath, [cli, 'generate', '--schema', schema], {
    cwd: dir,
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: stub, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
    stdio: 'pipe',
  });
  return join(dir, 'generated', 'client.ts');
}

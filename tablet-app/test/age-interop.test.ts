/**
 * Interoperability with Debian's `age` CLI: a file that `age` encrypted (to a recipient made
 * by `age-keygen`) decrypts with the tablet's code, and a recipient made by the tablet's code
 * is accepted by `age`. Skipped (with a message) when the CLI is missing, unless
 * CONGRESS_REQUIRE_TOOLS=1.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decryptInMemory, newIdentity } from '../src/agecrypt';

const haveAge = spawnSync('age', ['--version']).status === 0;
if (!haveAge && process.env.CONGRESS_REQUIRE_TOOLS) throw new Error('age is required');
if (!haveAge) console.log('SKIPPED: age is not installed (Debian package age)');

describe.skipIf(!haveAge)('age interop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'age-interop-'));
  const plain = new Uint8Array(300_000).map((_, i) => (i * 31 + 7) % 251);
  writeFileSync(join(dir, 'plain.bin'), plain);

  it('decrypts what the age CLI encrypted', async () => {
    execFileSync('age-keygen', ['-o', join(dir, 'key.txt')]);
    const keyFile = readFileSync(join(dir, 'key.txt'), 'utf8');
    const identity = keyFile.split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-1'))!;
    const recipient = /# public key: (age1\S+)/.exec(keyFile)![1];
    execFileSync('age', ['-r', recipient, '-o', join(dir, 'cli.age'), join(dir, 'plain.bin')]);
    const out = await decryptInMemory(new Uint8Array(readFileSync(join(dir, 'cli.age'))), identity);
    expect(Buffer.from(out).equals(Buffer.from(plain))).toBe(true);
  });

  it('makes recipients the age CLI encrypts to', async () => {
    const { identity, recipient } = await newIdentity();
    expect(recipient).toMatch(/^age1[0-9a-z]+$/);
    execFileSync('age', ['-r', recipient, '-o', join(dir, 'tab.age'), join(dir, 'plain.bin')]);
    const out = await decryptInMemory(new Uint8Array(readFileSync(join(dir, 'tab.age'))), identity);
    expect(out.length).toBe(plain.length);
    writeFileSync(join(dir, 'id.txt'), identity + '\n');
    const back = execFileSync('age', ['-d', '-i', join(dir, 'id.txt'), join(dir, 'tab.age')]);
    expect(Buffer.from(back).equals(Buffer.from(plain))).toBe(true);
  });
});

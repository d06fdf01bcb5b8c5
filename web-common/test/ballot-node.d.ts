// The few Node APIs the ballot vector tests use (web-common typechecks without @types/node).
declare module 'node:fs' {
  export function readFileSync(path: string | URL, encoding: 'utf8'): string;
  export function writeFileSync(path: string | URL, data: string): void;
}
declare const process: { env: Record<string, string | undefined> };

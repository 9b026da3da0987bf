/**
 * Static checks of what production code may import. Emulators and test fixtures exist for tests and
 * `npm start` only: nothing under apps/ or libs/ (specs aside) may import them. And content rules run in
 * the browser too (a web app checks a post before sending it), so everything they import must work
 * without Node: no `node:` modules or other Node built-ins, no `Buffer`.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sourceFiles(directory: string): string[] {
  return readdirSync(join(ROOT, directory), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.includes('node_modules'))
    .map((file) => join(ROOT, directory, file));
}

/** Every module a file imports (static, dynamic and re-exports), as written. */
function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((imported) => imported.fileName);
}

/** A relative import's file (`./x.js` is written for `./x.ts`); undefined for packages. */
function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = resolve(dirname(from), specifier);
  return [target.replace(/\.js$/, '.ts'), target, `${target}.ts`, join(target, 'index.ts')].find(existsSync);
}

const isNodeBuiltin = (specifier: string) =>
  specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]);

/** Identifiers in code (comments and strings are not tokens of this kind). */
function identifiers(file: string): Set<string> {
  const scanner = ts.createScanner(
    ts.ScriptTarget.Latest,
    true,
    ts.LanguageVariant.Standard,
    readFileSync(file, 'utf8'),
  );
  const found = new Set<string>();
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if (token === ts.SyntaxKind.Identifier) found.add(scanner.getTokenText());
  }
  return found;
}

/** Every file reachable from `entries` through relative imports. */
function importGraph(entries: string[]): string[] {
  const seen = new Set<string>();
  const pending = [...entries];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of importsOf(file)) {
      const target = resolveImport(file, specifier);
      if (target) pending.push(target);
    }
  }
  return [...seen];
}

const show = (file: string) => relative(ROOT, file);

describe('production code', () => {
  const production = [...sourceFiles('apps'), ...sourceFiles('libs')].filter((file) => !file.endsWith('.spec.ts'));

  it('is found (the scan reads the real tree)', () => {
    expect(production.map(show)).toEqual(
      expect.arrayContaining(['apps/backend/src/main.ts', 'libs/shared/src/platforms/platform.registry.ts']),
    );
  });

  it('never imports an emulator or anything under test/', () => {
    const forbidden = [join(ROOT, 'emulators'), join(ROOT, 'test')];
    const offending = production.flatMap((file) =>
      importsOf(file)
        .filter((specifier) => {
          const target =
            resolveImport(file, specifier) ?? (specifier.startsWith('.') ? resolve(dirname(file), specifier) : '');
          return forbidden.some((directory) => target.startsWith(`${directory}/`));
        })
        .map((specifier) => `${show(file)} imports ${specifier}`),
    );
    expect(offending).toEqual([]);
  });
});

describe('content rules and everything they import', () => {
  const rules = sourceFiles('libs/shared/src/platforms').filter((file) => file.endsWith('-content.rules.ts'));
  const graph = importGraph(rules);

  it('cover every platform and the shared helpers', () => {
    expect(rules.length).toBeGreaterThanOrEqual(9);
    expect(graph.map(show)).toContain('libs/shared/src/platforms/content-rules.ts');
  });

  it('import no Node built-in module', () => {
    const offending = graph.flatMap((file) =>
      importsOf(file)
        .filter(isNodeBuiltin)
        .map((specifier) => `${show(file)} imports ${specifier}`),
    );
    expect(offending).toEqual([]);
  });

  it('use no Buffer (TextEncoder works in browsers too)', () => {
    expect(graph.filter((file) => identifiers(file).has('Buffer')).map(show)).toEqual([]);
  });
});

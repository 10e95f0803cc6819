/**
 * Bundling the browser client (`SITE/assets/static-search.js`) with esbuild at export time, from
 * the TypeScript sources (run by tsx) or the compiled `dist/` files. The client imports the
 * server's own query parser and snippet builder from src/search; there `./fold.js` is swapped for
 * client/fold-map.ts (the exporter's fold table), `./zh-data.js` (OpenCC's tables) for
 * client/zh-map.ts (a file the exporter writes), and every package import (SQLite,
 * opencc-js, node:*) is left out: the client uses none of them, and the bundle is checked for it.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));

/** A module file by its `.js` import name: the `.ts` source when present (tsx), else the `.js` (dist). */
function sourceFile(path: string): string {
  const ts = path.replace(/\.js$/, '.ts');
  return existsSync(ts) ? ts : path;
}

/** Package names that must never reach the browser bundle (checked after bundling). */
export const SERVER_ONLY_MODULES = ['better-sqlite3', 'opencc-js', 'node:', 'yaml', 'htmlparser2'] as const;

const clientPlugin: Plugin = {
  name: 'salvage-static-client',
  setup(b) {
    b.onResolve({ filter: /^\./ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const fromSearch = /[\\/]search$/.test(args.resolveDir);
      if (fromSearch && /^\.\/fold\.js$/.test(args.path))
        return { path: sourceFile(resolve(HERE, 'client/fold-map.js')), sideEffects: false };
      if (fromSearch && /^\.\/zh-data\.js$/.test(args.path))
        return { path: sourceFile(resolve(HERE, 'client/zh-map.js')), sideEffects: false };
      // Modules of this project have no side effects on import: what the client does not use is dropped.
      return { path: sourceFile(resolve(args.resolveDir, args.path)), sideEffects: false };
    });
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.kind === 'entry-point' ? undefined : { path: args.path, external: true, sideEffects: false },
    );
  },
};

/** The client bundles: the search (every export), the compact export's page assembler, the replay page's link. */
export type ClientBundle = 'static-search' | 'static-pages' | 'replay-page';

/** A client bundle's JavaScript (an ES module, minified). Throws if anything server-only got in. */
export async function bundleClient(name: ClientBundle = 'static-search'): Promise<string> {
  const result = await build({
    entryPoints: [sourceFile(resolve(HERE, `client/${name}.js`))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    plugins: [clientPlugin],
  });
  const code = result.outputFiles[0]?.text;
  if (code === undefined) throw new Error('esbuild produced no client bundle');
  const imports = /\bimport\s*(?:[\w{}*\s,$]+from\s*)?["']([^"']+)["']/.exec(code);
  if (imports !== null) throw new Error(`the client bundle still imports ${imports[1]}`);
  return code;
}

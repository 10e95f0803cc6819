/**
 * The browser's conversion tables (src/search/zh.ts): the same strings as the server's
 * src/search/zh-data.ts, installed from `search-index/zh-convert.json` when a query first holds a
 * character a Simplified reading can change (index-files.ts `foldFor`). The client bundle resolves
 * `src/search/zh-data.js` to this file (bundle.ts), so the server's query parser runs unchanged.
 */
import { conversionTablesFrom, type ConversionSource, type ConversionTables } from '../../search/index.js';

let tables: ConversionTables | undefined;

/**
 * Not in the browser: the exporter writes the tables into the index. The name must exist because
 * src/search/index.js re-exports it from zh-data.js, and a bundle of the compiled JavaScript (an
 * installed salvage bundles from dist/) fails on a missing export, where one of the TypeScript
 * sources does not (esbuild cannot tell a missing value from a type there).
 */
export const CONVERSION_SOURCE: ConversionSource | undefined = undefined;

/** Install the tables from `zh-convert.json` (a ConversionSource). */
export function installConversion(source: ConversionSource): void {
  tables = conversionTablesFrom(source);
}

/** See src/search/zh-data.ts; undefined until installed (a query is then matched as typed). */
export function conversionTables(): ConversionTables | undefined {
  return tables;
}

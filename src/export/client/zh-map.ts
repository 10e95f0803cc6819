/**
 * The browser's conversion tables (src/search/zh.ts): the same strings as the server's
 * src/search/zh-data.ts, installed from `search-index/zh-convert.json` when a query first holds a
 * character a Simplified reading can change (index-files.ts `foldFor`). The client bundle resolves
 * `src/search/zh-data.js` to this file (bundle.ts), so the server's query parser runs unchanged.
 */
import { conversionTablesFrom, type ConversionSource, type ConversionTables } from '../../search/index.js';

let tables: ConversionTables | undefined;

/** Install the tables from `zh-convert.json` (a ConversionSource). */
export function installConversion(source: ConversionSource): void {
  tables = conversionTablesFrom(source);
}

/** See src/search/zh-data.ts; undefined until installed (a query is then matched as typed). */
export function conversionTables(): ConversionTables | undefined {
  return tables;
}

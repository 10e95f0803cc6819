/**
 * The conversion tables of the server (zh.ts), built on first use from OpenCC's data: the
 * character table generated into zh-tables.ts and opencc-js's phrase dictionary. The static
 * site's bundle replaces this module with export/client/zh-map.ts, which installs the same two
 * strings from a file of the export (bundle.ts).
 */
import STPhrases from 'opencc-js/dict/STPhrases';
import { CANDIDATES, TRADITIONAL_ONLY } from './zh-tables.js';
import { conversionTablesFrom, type ConversionSource, type ConversionTables } from './zh.js';

/** The two strings the tables are built from (the exporter writes them for the browser). */
export const CONVERSION_SOURCE: ConversionSource = {
  candidates: CANDIDATES,
  phrases: STPhrases,
  traditionalOnly: TRADITIONAL_ONLY,
};

let tables: ConversionTables | undefined;

/** The tables (built once per process: ~50,000 phrases, some tens of ms). */
export function conversionTables(): ConversionTables {
  return (tables ??= conversionTablesFrom(CONVERSION_SOURCE));
}

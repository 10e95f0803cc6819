/** The surfaces of the hostile-input bench, in the order they run. */
import type { Surface } from './common.js';
import { archiveSurface } from './archive.js';
import { cdxSurface } from './cdx.js';
import { htmlSurface } from './html.js';
import { httpSurface, searchSurface } from './search.js';
import { warcSurface } from './warc.js';

export const SURFACES: readonly Surface[] = [
  warcSurface,
  htmlSurface,
  archiveSurface,
  cdxSurface,
  searchSurface,
  httpSurface,
];

/** The surfaces of the hostile-input bench, in the order they run. */
import type { Surface } from './common.js';
import { cdxSurface } from './cdx.js';
import { htmlSurface } from './html.js';

export const SURFACES: readonly Surface[] = [htmlSurface, cdxSurface];

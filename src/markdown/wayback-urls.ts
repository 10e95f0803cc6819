/** Wayback Machine URL forms used in archive files. */

import { mementoUrl } from '../memento.js';

/** An image as archived at the capture's time (`im_` serves the raw image). */
export function imageMementoUrl(timestamp: string, imageUrl: string): string {
  return mementoUrl(timestamp, imageUrl, 'im_');
}

/** Host without a leading `www.`, lower-cased. */
export function siteHost(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^www\d*\./, '');
  } catch {
    return undefined;
  }
}

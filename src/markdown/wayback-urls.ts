/** Wayback Machine URL forms used in archive files. */

/** The memento a file was made from: `https://web.archive.org/web/<ts>/<original>`. */
export function mementoUrl(timestamp: string, originalUrl: string): string {
  return `https://web.archive.org/web/${timestamp}/${originalUrl}`;
}

/** An image as archived at the capture's time (`im_` serves the raw image). */
export function imageMementoUrl(timestamp: string, imageUrl: string): string {
  return `https://web.archive.org/web/${timestamp}im_/${imageUrl}`;
}

/** Host without a leading `www.`, lower-cased. */
export function siteHost(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^www\d*\./, '');
  } catch {
    return undefined;
  }
}

/**
 * `SITE/replay/replay.js`, the replay page's own script (bundled by bundle.ts: the page's policy
 * allows no inline script). It does two things:
 *
 * - It registers ReplayWeb.page's service worker and waits until it is active, then puts the
 *   `<replay-web-page>` element (kept in a `<template>`) in the page. ReplayWeb.page alone opens
 *   its frame as soon as the worker is registered, not active: on a first visit the frame's
 *   address can then reach the host instead of the worker (a 404 page in the frame), and when the
 *   worker takes control before the frame's load event ReplayWeb.page does not reload it; seen in
 *   the browser test, test/e2e/replay.e2e.ts. The worker is registered exactly as ReplayWeb.page
 *   does it (same script address, same scope), so its own registration finds this one.
 * - ReplayWeb.page reads the capture to show from the address's fragment (`#url=…&ts=…`, its
 *   `deepLink` mode) and rewrites it as the reader follows links inside the capture; the page's
 *   "back to the article" link is pointed at the mirror's lookup page for the URL on show, so a
 *   shared replay address leads back to our text.
 */

/** The `id` of the replay page's link to the article in the mirror (hidden until a URL is known). */
export const ARTICLE_LINK_ID = 'replay-article';
/** The `<template>` holding the `<replay-web-page>` element. */
export const REPLAY_TEMPLATE_ID = 'replay-template';
/** ReplayWeb.page's worker, as its element registers it (`replaybase` + `sw.js?serveIndex=1`), and its scope. */
export const SERVICE_WORKER = { script: 'sw/sw.js?serveIndex=1', scope: 'sw/' } as const;

/** The event `<replay-web-page>` dispatches when the replayed page changes (`detail.url`). */
export const URL_CHANGE_EVENT = 'rwp-url-change';

/** The lookup page for an original URL, relative to the replay page; undefined for no URL. */
export function lookupHref(url: string | null | undefined): string | undefined {
  return url === null || url === undefined || url === '' ? undefined : `../lookup/?url=${encodeURIComponent(url)}`;
}

/** The original URL a replay fragment names (`#url=…&ts=…`), if any. */
export function fragmentUrl(hash: string): string | null {
  return new URLSearchParams(hash.replace(/^#/, '')).get('url');
}

/** The few DOM features used, typed structurally (the project compiles without the DOM lib). */
interface Listening {
  addEventListener(type: string, listener: (event: { detail?: { url?: string } }) => void): void;
}
interface LinkElement {
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
}
interface Worker extends Listening {
  state: string;
}
interface Browser {
  document?: {
    getElementById(id: string): (LinkElement & { content?: { cloneNode(deep: boolean): unknown } }) | null;
    querySelector(selector: string): Listening | null;
    body: { appendChild(node: unknown): unknown };
  };
  location?: { hash: string };
  navigator?: {
    serviceWorker?: {
      register(
        script: string,
        options: { scope: string },
      ): Promise<{ active: Worker | null; waiting: Worker | null; installing: Worker | null }>;
    };
  };
}

/** Register the worker and wait until it is active (resolves at once when it already is). */
async function activeWorker(container: NonNullable<NonNullable<Browser['navigator']>['serviceWorker']>): Promise<void> {
  const registration = await container.register(SERVICE_WORKER.script, { scope: SERVICE_WORKER.scope });
  const worker = registration.active ?? registration.waiting ?? registration.installing;
  if (worker === null || worker.state === 'activated') return;
  await new Promise<void>((resolve) => {
    worker.addEventListener('statechange', () => {
      if (worker.state === 'activated' || worker.state === 'redundant') resolve();
    });
  });
}

const browser = globalThis as Browser;
if (browser.document !== undefined && browser.location !== undefined) {
  const { document, location } = browser;
  const link = document.getElementById(ARTICLE_LINK_ID);
  const show = (url: string | null | undefined): void => {
    const href = lookupHref(url);
    if (link === null || href === undefined) return;
    link.setAttribute('href', href);
    link.removeAttribute('hidden');
  };
  show(fragmentUrl(location.hash));
  const put = (): void => {
    const template = document.getElementById(REPLAY_TEMPLATE_ID);
    if (template?.content === undefined) return;
    document.body.appendChild(template.content.cloneNode(true));
    document.querySelector('replay-web-page')?.addEventListener(URL_CHANGE_EVENT, (e) => show(e.detail?.url));
  };
  // Without service workers (an insecure address), or if registering fails, the element is put
  // in anyway: ReplayWeb.page then shows the reader why it cannot replay.
  const container = browser.navigator?.serviceWorker;
  if (container === undefined) put();
  else activeWorker(container).then(put, put);
}

/**
 * What every page renderer needs: the open index and catalog, the archive folder, the options, the
 * name ↔ segment maps, and link builders. Built once per reader.
 */
import type { Catalog, CatalogFacet, SearchIndex, SearchOptions, SearchResponse } from '../search/index.js';
import type { SegmentMap } from './segments.js';
import type { LocalImage } from './markdown-html.js';
import { buildCalendar, type Calendar } from './calendar.js';
import { isCalendarDate } from '../search/index.js';

/**
 * One capture of an article, as its archive file names it: the article id, the original URL
 * (`original_url`) and the 14-digit capture time (`captured_at`, else the memento's timestamp).
 */
export interface CaptureRef {
  id: number;
  url: string;
  timestamp: string;
}

/** How the reader runs: a live server, or pages rendered for a static export. */
export type ReaderMode = 'server' | 'static';

export interface ReaderContext {
  dir: string;
  index: SearchIndex;
  catalog: Catalog;
  mode: ReaderMode;
  loadImages: boolean;
  /** Site name shown in the header and titles. */
  siteTitle: string;
  /**
   * The archive's own copy of an image URL (markdown `imageKey`), when its media store holds one
   * (`salvage media`); absent without a media store.
   */
  storedImage?: (key: string) => LocalImage | undefined;
  /** The file of a media path (`/media/files/…`) when the media store holds it. */
  mediaFile?: (path: string) => string | undefined;
  /** Where an article's capture is replayed ({@link ReaderOptions.captureHref}); absent: no such link. */
  captureHref?: (capture: CaptureRef) => string | undefined;
  segments: Record<CatalogFacet, SegmentMap>;
  /** The dates with pages, read on first use; cleared when the index changes ({@link calendarOf}). */
  calendar?: Calendar | undefined;
  /** Told about errors that became a 500 response (bugs). */
  onError?: (error: Error) => void;
  /**
   * Runs a search off this thread (a server's SearchPool), so one costly search never delays
   * other requests; absent, searches run in this thread.
   */
  searcher?: (options: SearchOptions) => Promise<SearchResponse>;
}

/** Articles per page on category, tag and author pages. */
export const PAGE_SIZE = 50;
/** Articles on the home page. */
export const LATEST_COUNT = 30;

/** URL path of a category, tag or author page (page 1 when `page` ≤ 1); undefined for an unknown name. */
export function facetHref(ctx: ReaderContext, facet: CatalogFacet, name: string, page = 1): string | undefined {
  const segment = ctx.segments[facet].segmentOf(name);
  if (segment === undefined) return undefined;
  const base = `/${facet}/${encodeURIComponent(segment)}/`;
  return page > 1 ? `${base}page/${page}/` : base;
}

export const articleHref = (id: number): string => `/article/${id}/`;

/** The whole archive's Atom feed (pages/feeds.ts). */
export const SITE_FEED_PATH = '/feed.xml';

/** `/date/YYYY/`, `/date/YYYY/MM/` or `/date/YYYY/MM/DD/` for a 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'. */
export const dateHref = (date: string): string => `/date/${date.split('-').join('/')}/`;

/**
 * The day page of an article's date, or undefined when the date is not a real calendar day
 * (`2020-13-45`, `2020-02-30`, a partial `2020-05`): those are shown as text, not linked to a
 * page that does not exist. Pure, so the static client links exactly as the server.
 */
export function articleDateHref(date: string): string | undefined {
  return isCalendarDate(date) ? dateHref(date) : undefined;
}

/** The reader's {@link Calendar}, built once per index generation. */
export function calendarOf(ctx: ReaderContext): Calendar {
  return (ctx.calendar ??= buildCalendar(ctx.catalog));
}

export const onThisDayHref = (monthDay: string): string => `/on-this-day/${monthDay}/`;

/** Plural label of a facet and its singular, in the page language. */
export const FACET_LABELS: Record<CatalogFacet, { plural: string; one: string; listPath: string }> = {
  category: { plural: '分類', one: '分類', listPath: '/categories/' },
  tag: { plural: '標籤', one: '標籤', listPath: '/tags/' },
  author: { plural: '作者', one: '作者', listPath: '/authors/' },
};

/**
 * The dates the reader has pages for. The index keeps an article's `date` as its file states it,
 * and a file may state anything (`2020-13-45`, `2020-02-30`, `2020-1-2`): one such value must
 * not become a link to a page that does not exist, nor stop `export-site` (issue 12). Only real
 * calendar days get day pages; a month or year gets a page when it holds at least one.
 */
import { isCalendarDate, type Catalog, type CatalogCount } from '../search/index.js';

/** `YYYY`: a year the routes answer (`/date/:y{[0-9]{4}}/`). */
const YEAR = /^\d{4}$/;
/** `YYYY-MM` with a real month. */
const YEAR_MONTH = /^\d{4}-(?:0[1-9]|1[0-2])$/;

export interface Calendar {
  /** Years with at least one calendar day, ascending (`name` 'YYYY'; `count` as the catalog counts the year). */
  readonly years: readonly CatalogCount[];
  /** Months of a year ('YYYY') with at least one calendar day, ascending. */
  months(year: string): readonly CatalogCount[];
  /** Calendar days of a month ('YYYY-MM'), ascending. */
  days(yearMonth: string): readonly CatalogCount[];
  /** Whether `/date/…/` has a page for this 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'. */
  has(date: string): boolean;
  /** The nearest calendar days with articles before and after `day`. */
  adjacent(day: string): { previous?: string; next?: string };
}

/** Read the catalog's dates once (a query per year and per month) and keep the real ones. */
export function buildCalendar(catalog: Catalog): Calendar {
  const years: CatalogCount[] = [];
  const months = new Map<string, CatalogCount[]>();
  const days = new Map<string, CatalogCount[]>();
  const allDays: string[] = [];
  for (const y of catalog.years()) {
    if (!YEAR.test(y.name)) continue;
    const kept: CatalogCount[] = [];
    for (const m of catalog.months(Number(y.name))) {
      if (!YEAR_MONTH.test(m.name)) continue;
      const real = catalog.days(Number(y.name), Number(m.name.slice(5, 7))).filter((d) => isCalendarDate(d.name));
      if (real.length === 0) continue;
      kept.push(m);
      days.set(m.name, real);
      for (const d of real) allDays.push(d.name);
    }
    if (kept.length === 0) continue;
    years.push(y);
    months.set(y.name, kept);
  }
  const dayIndex = new Set(allDays);
  return {
    years,
    months: (year) => months.get(year) ?? [],
    days: (yearMonth) => days.get(yearMonth) ?? [],
    has: (date) => months.has(date) || days.has(date) || dayIndex.has(date),
    adjacent(day) {
      // allDays is ascending (years, months and days each come sorted): binary search.
      let lo = 0;
      let hi = allDays.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (allDays[mid]! < day)
          lo = mid + 1; // mid < hi ≤ length
        else hi = mid;
      }
      const out: { previous?: string; next?: string } = {};
      const previous = allDays[lo - 1];
      const next = allDays[allDays[lo] === day ? lo + 1 : lo];
      if (previous !== undefined) out.previous = previous;
      if (next !== undefined) out.next = next;
      return out;
    },
  };
}

/** `salvage extract`: captured pages (WARC records or HTML files) → archive files or JSON lines. */
import { readFile, stat } from 'node:fs/promises';
import { SalvageError } from '../errors.js';
import {
  articleText,
  declaredPageUrl,
  extractCapture,
  LayoutReport,
  type Article,
  type ExtractResult,
  type LayoutSummary,
  type SiteProfile,
} from '../extract/index.js';
import { renderArticle, writeArticleFile, type FrontmatterStyle } from '../markdown/index.js';
import { SITES, siteFor } from '../sites/index.js';
import { readWarcCaptures, type WarcDamage } from '../store/index.js';
import type { Reporter } from './output.js';
import { loadProfiles } from './site-choice.js';

export interface ExtractCommandOptions {
  out?: string;
  url?: string;
  timestamp?: string;
  site?: string;
  /** Profile files (docs/site-profiles.md), asked before the built-in sites. */
  profiles?: string[];
  /** Say which signal produced each field (and why a page was rejected). */
  explain?: boolean;
  format: 'markdown' | 'jsonl';
  summary: boolean;
  frontmatter: FrontmatterStyle;
  maxPageMb: number;
}

export type Outcome = 'written' | 'rejected' | 'failed';

interface Page {
  input: string;
  url: string;
  timestamp: string;
  httpStatus?: number;
  contentType?: string;
  payload: Uint8Array;
  /** A WARC capture whose payload is over --max-page-mb: its declared size (the payload was not read). */
  tooLargeBytes?: number;
  /** Bytes of a WARC file that hold no readable record (the page is a placeholder for the report). */
  damage?: WarcDamage;
}

/** Long percent-encoded URLs make log lines unreadable; the full URL is in --format jsonl. */
const MAX_URL_CHARS = 100;
function shorten(url: string): string {
  return url.length > MAX_URL_CHARS ? url.slice(0, MAX_URL_CHARS - 1) + '…' : url;
}

/**
 * HTML files up to this many times --max-page-mb are read (and then rejected as too large with a
 * reason); anything bigger is refused before it is read into memory.
 */
const HTML_FILE_READ_FACTOR = 4;

/** Article files being written at once (a disk keeps up; memory holds at most this many texts). */
const MAX_PENDING_WRITES = 16;

/** Record files: WARC, and ARC (the Wayback's format before 2008); plain or gzipped. */
const WARC_NAME = /\.(?:warc|arc)(?:\.gz)?$/i;
const TIMESTAMP = /^\d{14}$/;

async function* pagesOf(input: string, options: ExtractCommandOptions): AsyncGenerator<Page> {
  let info;
  try {
    info = await stat(input);
  } catch (error) {
    throw new SalvageError(
      'INPUT_UNREADABLE',
      `cannot read ${input}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
      { cause: error, subject: input },
    );
  }
  if (!info.isFile()) throw new SalvageError('INPUT_UNREADABLE', `${input} is not a file`, { subject: input });
  if (WARC_NAME.test(input)) {
    // Damage is reported where it lies in file order, between the captures around it; reading goes
    // on at the next intact record, and the payload cap is enforced while reading.
    const damages: WarcDamage[] = [];
    const onDamage = (damage: WarcDamage): void => {
      damages.push(damage);
    };
    for await (const c of readWarcCaptures(input, { maxPayloadBytes: options.maxPageMb * 1048576, onDamage })) {
      for (const damage of damages.splice(0)) yield damagePage(input, damage);
      const page: Page = { input: `${input}@${c.offset}`, url: c.url, timestamp: c.timestamp, payload: c.payload };
      if (c.httpStatus !== undefined) page.httpStatus = c.httpStatus;
      if (c.contentType !== undefined) page.contentType = c.contentType;
      if (c.tooLargeBytes !== undefined) page.tooLargeBytes = c.tooLargeBytes;
      yield page;
    }
    for (const damage of damages.splice(0)) yield damagePage(input, damage);
    return;
  }
  if (info.size > options.maxPageMb * 1048576 * HTML_FILE_READ_FACTOR) {
    throw new SalvageError('INPUT_INVALID', `${input} is ${(info.size / 1048576).toFixed(0)} MiB: not a web page`, {
      subject: input,
    });
  }
  const payload = await readFile(input);
  yield { input, url: options.url ?? declaredPageUrl(payload) ?? '', timestamp: options.timestamp ?? '', payload };
}

function damagePage(input: string, damage: WarcDamage): Page {
  return { input: `${input}@${damage.offset}`, url: '', timestamp: '', payload: new Uint8Array(), damage };
}

/** `--explain`: the decisions of one page, one per line under a header naming the page and site. */
function explainText(page: Page, site: SiteProfile, outcome: string, notes: readonly string[]): string {
  return [
    `explain ${page.input} (${shorten(page.url)}): site ${site.id}, ${outcome}`,
    ...notes.map((n) => `  ${n}`),
  ].join('\n');
}

export interface ExtractTotals {
  pages: number;
  written: number;
  rejected: number;
  failed: number;
  byReason: Record<string, number>;
  /** The written pages grouped by layout (`--summary` prints them; see extract/layout.ts). */
  layouts: LayoutSummary[];
}

/** Run `salvage extract`; returns the totals (the caller turns them into an exit code). */
export async function runExtract(
  inputs: string[],
  options: ExtractCommandOptions,
  report: Reporter,
): Promise<ExtractTotals> {
  const profiles = await loadProfiles(options.profiles ?? []);
  const forced =
    options.site === undefined ? undefined : (profiles.find((p) => p.id === options.site) ?? SITES.get(options.site));
  if (options.site !== undefined && !forced) {
    throw new SalvageError(
      'CONFIG_INVALID',
      `unknown site "${options.site}"; known sites: ${[...profiles.map((p) => p.id), ...SITES.keys()].join(', ')}`,
    );
  }
  const htmlInputs = inputs.filter((i) => !WARC_NAME.test(i));
  if (htmlInputs.length > 0) {
    // Archive files record when the page was captured; JSON lines can go without it.
    if (!options.timestamp && options.format === 'markdown')
      throw new SalvageError(
        'CONFIG_INVALID',
        `HTML input ${htmlInputs[0]} needs --timestamp <14 digits> for archive files (captured_at, Wayback links); --format jsonl can go without`,
      );
    if (options.timestamp !== undefined && !TIMESTAMP.test(options.timestamp))
      throw new SalvageError(
        'CONFIG_INVALID',
        `--timestamp must be 14 digits (YYYYMMDDhhmmss), got "${options.timestamp}"`,
      );
    if (options.url !== undefined) {
      try {
        new URL(options.url);
      } catch {
        throw new SalvageError('CONFIG_INVALID', `--url must be an absolute URL, got "${options.url}"`);
      }
    }
  }

  const totals: ExtractTotals = { pages: 0, written: 0, rejected: 0, failed: 0, byReason: {}, layouts: [] };
  const layouts = new LayoutReport();
  let printed = 0;
  const emit = (
    page: Page,
    outcome: Outcome,
    reason: string | undefined,
    message: string | undefined,
    article?: Article,
    explained?: { site: SiteProfile; notes: readonly string[]; layout?: string },
  ): void => {
    totals.pages++;
    totals[outcome]++;
    if (reason) totals.byReason[reason] = (totals.byReason[reason] ?? 0) + 1;
    if (options.format === 'jsonl') {
      report.stdout(
        JSON.stringify({
          input: page.input,
          url: page.url,
          timestamp: page.timestamp,
          outcome,
          reason: reason ?? null,
          message: message ?? null,
          article: article ? { ...article, text: articleText(article) } : null,
          ...(explained?.layout !== undefined ? { layout: explained.layout } : {}),
          ...(options.explain && explained ? { site: explained.site.id, explain: explained.notes } : {}),
        }),
      );
    } else {
      if (outcome !== 'written')
        report.warn(`${outcome} ${page.input} (${shorten(page.url) || 'no URL'}): ${reason}: ${message}`);
      if (options.explain && explained)
        report.explain(explainText(page, explained.site, reason ?? outcome, explained.notes));
    }
    report.progress(totals);
  };

  // Writes run a few at a time while the next pages are extracted; outcomes are still reported in
  // input order, and two captures of one article are written one after the other (last wins).
  const queue: { done: Promise<unknown>; report: () => void }[] = [];
  const writing = new Map<string, Promise<unknown>>();
  const drain = async (limit: number): Promise<void> => {
    while (queue.length > limit) {
      const head = queue.shift()!; // length > limit >= 0
      await head.done;
      head.report();
    }
  };
  const later = (report: () => void, done: Promise<unknown> = Promise.resolve()): Promise<void> => {
    queue.push({ done, report });
    return drain(MAX_PENDING_WRITES);
  };

  for (const input of inputs) {
    try {
      for await (const page of pagesOf(input, options)) {
        // One line per damaged stretch (file@offset, reason, message), counted as a failure: exit 1.
        if (page.damage) {
          const { reason, message, length } = page.damage;
          await later(() => emit(page, 'failed', `warc-${reason}`, `${message} (${length} bytes passed over)`));
          continue;
        }
        if (page.tooLargeBytes !== undefined) {
          const message = `the payload is ${(page.tooLargeBytes / 1048576).toFixed(1)} MiB, over the ${options.maxPageMb} MiB page limit (--max-page-mb); it was not read`;
          await later(() => emit(page, 'rejected', 'too-large', message));
          continue;
        }
        if (page.url === '') {
          await later(() =>
            emit(
              page,
              'failed',
              'no-url',
              'the page names no URL of its own (canonical link, og:url); give its original URL with --url',
            ),
          );
          continue;
        }
        const site = forced ?? siteFor(page.url, profiles);
        let result: ExtractResult;
        try {
          result = extractCapture(
            {
              payload: page.payload,
              url: page.url,
              timestamp: page.timestamp,
              ...(page.httpStatus !== undefined ? { httpStatus: page.httpStatus } : {}),
              ...(page.contentType !== undefined ? { contentType: page.contentType } : {}),
            },
            site,
            { maxPageBytes: options.maxPageMb * 1048576, ...(options.explain ? { explain: true } : {}) },
          );
        } catch (error) {
          await later(() =>
            emit(
              page,
              'failed',
              'internal-error',
              `extraction crashed (please report): ${(error as Error).stack ?? String(error)}`,
            ),
          );
          continue;
        }
        const explained = { site, notes: result.notes };
        if (!result.ok) {
          const { reason, message } = result;
          await later(() => emit(page, 'rejected', reason, message, undefined, explained));
          continue;
        }
        const article = result.article;
        layouts.add({
          layout: result.layout.id,
          date: article.date,
          sample: page.url,
          evidence: result.layout.evidence,
        });
        const explainedOk = { ...explained, layout: result.layout.id };
        // Decoding damage (U+FFFD written, a declared charset overruled) is said per page, in order.
        const warnings = result.warnings ?? [];
        if (warnings.length > 0)
          await later(() => {
            for (const w of warnings) report.warn(`warning ${page.input} (${shorten(page.url) || 'no URL'}): ${w}`);
          });
        const text = renderArticle(article, { frontmatter: options.frontmatter });
        if (options.out !== undefined) {
          const out = options.out;
          const previous = writing.get(article.id) ?? Promise.resolve();
          const done = previous.then(() => writeArticleFile(out, article.id, text));
          done.catch(() => {
            /* awaited (and thrown) in order by drain() */
          });
          writing.set(article.id, done);
          void done
            .finally(() => {
              if (writing.get(article.id) === done) writing.delete(article.id);
            })
            .catch(() => {});
          await later(() => emit(page, 'written', undefined, undefined, article, explainedOk), done);
          continue;
        }
        await drain(0);
        if (options.format === 'markdown') {
          if (printed++ > 0)
            throw new SalvageError(
              'CONFIG_INVALID',
              'more than one article: give --out DIR to write them as an archive, or --format jsonl',
            );
          report.stdout(text.replace(/\n$/, ''));
        }
        emit(page, 'written', undefined, undefined, article, explainedOk);
      }
      await drain(0);
    } catch (error) {
      await drain(0).catch(() => {});
      if (
        error instanceof SalvageError &&
        (error.code === 'INPUT_UNREADABLE' || error.code === 'WARC_MALFORMED' || error.code === 'INPUT_INVALID')
      ) {
        totals.failed++;
        totals.byReason[error.code] = (totals.byReason[error.code] ?? 0) + 1;
        report.warn(`failed ${input}: ${error.message}`);
        continue;
      }
      throw error;
    }
  }
  totals.layouts = layouts.summary();
  return totals;
}

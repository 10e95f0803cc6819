#!/usr/bin/env node
/** The `salvage` command: parses flags, wires the stages, renders results and errors. */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isSalvageError } from '../errors.js';
import { runExtract, type ExtractCommandOptions } from './extract-command.js';
import { createReporter } from './output.js';
import { mediaSummary, runArchive, runMedia, statusReport, type WaybackCommandOptions } from './archive-command.js';
import { requireTakedownsApplied, runImport, runIndex, runSearch } from './read-commands.js';
import { registerExportCommands } from './export-commands.js';
import { registerVerifyCommand } from './verify-command.js';
import {
  DEFAULT_SERVE_HOST,
  DEFAULT_SERVE_PORT,
  defaultWorkers,
  MAX_DEFAULT_WORKERS,
  serveCommand,
} from './serve-command.js';
import { DEFAULT_SEARCH_OPTIONS, type SearchOptions } from '../search/index.js';
import { SITES } from '../sites/index.js';
import { layoutReportLines } from '../extract/index.js';
import { prerender, type PrerenderProgress } from '../reader/index.js';
import { keepProfile, keptProfiles, resolveArchiveTarget, SITE_PROFILE_FILE } from './site-choice.js';
import { SalvageError } from '../errors.js';
import { DEFAULT_CLIENT_OPTIONS, DEFAULT_POLITENESS } from '../wayback/index.js';
import { DEFAULT_MEDIA_OPTIONS, DEFAULT_RESCUE_OPTIONS, rebuildArchive, restoreMedia } from '../crawl/index.js';

/** Exit codes (documented in README.md, "Exit codes"). */
export const EXIT = { ok: 0, failed: 1, usage: 2, rejected: 3, internal: 70, tempfail: 75, interrupted: 130 } as const;

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
  return n;
}

function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return n;
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('must be a port number from 0 to 65535');
  return n;
}

/**
 * The flags of every command that asks the Wayback Machine for captures: base URL, capture rate,
 * the longest wait, how many items at once, and the hidden time scale of rehearsals.
 */
function waybackOptions(command: Command, items: string, concurrency: number): Command {
  return command
    .option('--wayback <url>', 'Wayback Machine base URL', DEFAULT_CLIENT_OPTIONS.baseUrl)
    .option('--rps <n>', 'capture requests per second', positiveNumber, DEFAULT_POLITENESS.capturesPerSecond)
    .option(
      '--max-wait <minutes>',
      'stop (resumably) once the run has spent this long paused by 429s, outages or a block',
      positiveNumber,
      DEFAULT_POLITENESS.maxWaitMs / 60_000,
    )
    .option(
      '--concurrency <n>',
      `${items} worked on at once (requests in flight stay at most ${DEFAULT_CLIENT_OPTIONS.connections}, one keep-alive pool)`,
      positiveNumber,
      concurrency,
    )
    .addOption(
      new Option(
        '--time-scale <k>',
        'divide every wait and multiply every rate by K (rehearsals against the simulator only)',
      )
        .argParser(positiveNumber)
        .hideHelp(),
    );
}

/** Those flags as the commands take them. */
function waybackFlags(flags: Record<string, unknown>): WaybackCommandOptions {
  return {
    wayback: flags['wayback'] as string,
    rps: flags['rps'] as number,
    maxWaitMinutes: flags['maxWait'] as number,
    concurrency: flags['concurrency'] as number,
    ...(flags['timeScale'] !== undefined ? { timeScale: flags['timeScale'] as number } : {}),
    quiet: flags['quiet'] === true,
  };
}

/**
 * The last line of a resumable run and its exit code: `done: …`, or `stopped (why): …` with how to
 * resume (75, or 130 when interrupted); 75 also when items failed (the next run retries them).
 */
function finishRun(stop: { stop: string; message?: string } | undefined, failed: boolean, tail: string): void {
  if (stop === undefined) process.stdout.write(`done: ${tail}\n`);
  else
    process.stdout.write(
      `stopped (${stop.stop}${stop.message ? `: ${stop.message}` : ''}): ${tail}\nrun the same command again to resume.\n`,
    );
  process.exitCode =
    stop?.stop === 'interrupted' ? EXIT.interrupted : stop !== undefined || failed ? EXIT.tempfail : EXIT.ok;
}

/**
 * A commander usage error as one line: its message with the "(Did you mean …?)" that it puts on
 * a line of its own joined on, and where to look next (a second line would read as more errors).
 */
const usageLine = (text: string): string => `${text.trim().replace(/\s*\n\s*/g, ' ')} (run with --help for usage)\n`;

// Subcommands copy these settings when they are created (commander's copyInheritedSettings): set
// them before any .command(). exitOverride makes commander throw a CommanderError instead of
// exiting with 1 on bad usage, so that the catch at the end can exit 2 (README "Exit codes").
const program = new Command();
program
  .name('salvage')
  .description('Rescue dead news sites from the Wayback Machine into a verifiable Markdown archive.')
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(usageLine(text)) });

program
  .command('extract')
  .description('Turn captured pages into archive files (Markdown + YAML frontmatter; README "Archive format").')
  .argument(
    '<input...>',
    'WARC files (.warc, .warc.gz: every response record), ARC files (.arc, .arc.gz) or HTML files (--timestamp needed for archive files)',
  )
  .option(
    '-o, --out <dir>',
    'write articles/<lo>-<hi>/article_<id>.md under DIR (without it, one article prints to stdout)',
  )
  .option('--url <url>', "original URL of the HTML input(s) (default: each page's canonical link or og:url)")
  .option('--timestamp <ts>', 'capture time of the HTML input(s), 14 digits YYYYMMDDhhmmss (UTC)')
  .option(
    '--site <id>',
    `site module to use (default: chosen by URL, else the generic extractor; known: ${[...SITES.keys()].join(', ')})`,
  )
  .option(
    '--profile <file>',
    'a site profile (YAML or JSON, docs/site-profiles.md) for an outlet salvage has no module for; repeatable',
    (v: string, list: string[] | undefined) => [...(list ?? []), v],
  )
  .option(
    '--explain',
    'show which signal produced each field (title, date, author, body…) and why a page was rejected: on stderr, or in each JSON line',
    false,
  )
  .addOption(
    new Option('--format <format>', 'markdown files, or one JSON line per input page on stdout')
      .choices(['markdown', 'jsonl'])
      .default('markdown'),
  )
  .addOption(
    new Option('--frontmatter <style>', 'full adds id, site, captured_at, sha256 after the seed keys')
      .choices(['full', 'minimal'])
      .default('full'),
  )
  .option('--max-page-mb <n>', 'reject payloads larger than this many MiB', positiveNumber, 20)
  .option(
    '--summary',
    'print counts (written, rejected by reason, failed) and the layout report (pages grouped by template: where each field came from, what is missing) at the end',
    false,
  )
  .option('-q, --quiet', 'no progress or per-page warnings on stderr', false)
  .addHelpText(
    'after',
    `
Outcomes: "written" (an article file), "rejected" (the capture is not an article: farewell page,
Wayback error page, CDN challenge, 404, truncated or empty capture, not HTML…; the reason is
printed), "failed" (unreadable input, an HTML page with no URL: give --url, or damaged WARC
bytes: one line "failed FILE@OFFSET (no URL): warc-REASON: …" per damaged, short or truncated
record, REASON gzip, truncated, short or malformed; reading goes on at the next intact record).

Sites: a page goes to the first --profile whose article_url matches it, then to a built-in site
(by URL, then by host), else to the generic extractor, which reads any news page: JSON-LD,
OpenGraph, Dublin Core, microdata, visible bylines and dates, and a scored guess at the body.

Exit codes: 0 every page written · 3 finished, some pages rejected · 1 some input failed
(including any damaged WARC record; every intact one is still extracted) ·
2 bad usage · 70 internal error (a bug: please report it with the input).

Examples:
  salvage extract captures.warc.gz --out archive --summary
  salvage extract page.html --url https://www.hkcnews.com/article/18733/x --timestamp 20210628174710
  salvage extract captures.warc.gz --format jsonl > pages.jsonl
  salvage extract page.html --url https://news.example/2019/02/27/story --format jsonl --explain
  salvage extract pages/*.warc.gz --profile example-news.yaml --out archive`,
  )
  .action(async (inputs: string[], flags: Record<string, unknown>) => {
    const report = createReporter({ quiet: flags['quiet'] === true });
    const options: ExtractCommandOptions = {
      format: flags['format'] as ExtractCommandOptions['format'],
      summary: flags['summary'] === true,
      frontmatter: flags['frontmatter'] as ExtractCommandOptions['frontmatter'],
      maxPageMb: flags['maxPageMb'] as number,
    };
    for (const key of ['out', 'url', 'timestamp', 'site'] as const)
      if (typeof flags[key] === 'string') options[key] = flags[key];
    options.profiles = (flags['profile'] as string[] | undefined) ?? [];
    options.explain = flags['explain'] === true;
    const totals = await runExtract(inputs, options, report);
    report.done();
    if (options.summary) {
      const reasons = Object.entries(totals.byReason)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([r, n]) => `${r} ${n}`)
        .join(', ');
      const text = `${totals.pages} pages: ${totals.written} written, ${totals.rejected} rejected, ${totals.failed} failed${reasons ? ` (${reasons})` : ''}${options.out ? ` → ${options.out}` : ''}`;
      const layoutText = layoutReportLines(totals.layouts).join('\n');
      if (options.out !== undefined && options.format === 'markdown')
        report.stdout(text + (layoutText ? '\n' + layoutText : ''));
      else process.stderr.write(text + '\n' + (layoutText ? layoutText + '\n' : ''));
    }
    process.exitCode = totals.failed > 0 ? EXIT.failed : totals.rejected > 0 ? EXIT.rejected : EXIT.ok;
  });

waybackOptions(
  program
    .command('archive')
    .description(
      'Rescue a whole site from the Wayback Machine: discover its captures, fetch the best one per article (kept as WARC), write the archive files. Resumable: run it again to continue.',
    )
    .argument(
      '<site>',
      `what to rescue: a known site (${[...SITES.keys()].filter((id) => SITES.get(id)?.rescue).join(', ')}), a site profile file (.yaml/.json, docs/site-profiles.md), or a URL prefix (example.com/news/) for any other outlet`,
    )
    .requiredOption('-o, --out <dir>', 'archive folder: articles/, captures/*.warc.gz, state.sqlite, coverage.json'),
  'articles',
  DEFAULT_RESCUE_OPTIONS.concurrency,
)
  .option(
    '--cdx-rpm <n>',
    'CDX requests per minute (the service allows 30 per IP)',
    positiveNumber,
    DEFAULT_POLITENESS.cdxPerMinute,
  )
  .option(
    '--closest-window <minutes>',
    'how far the Wayback\'s "closest capture" redirect may move a capture\'s time and still be taken; further away the capture is rejected as closest-too-far',
    positiveNumber,
    DEFAULT_CLIENT_OPTIONS.closestWindowMs / 60_000,
  )
  .option(
    '--closed <date>',
    'with a URL prefix: when the outlet closed (YYYY-MM-DD); captures up to then are preferred',
  )
  .option(
    '--no-media',
    'do not rescue the images the articles show (salvage media DIR adds them later); by default they follow the pages',
  )
  .option('-q, --quiet', 'no progress on stderr', false)
  .addHelpText(
    'after',
    `
Images: once every article is written or unrecovered, the images the articles show are asked of
the Wayback Machine too (im_, the closest capture at any distance) under the same politeness
budget, and kept in OUT/media (see salvage media --help). --no-media skips them.

Any outlet: with a profile file or a URL prefix, salvage keeps the profile beside the archive
(${SITE_PROFILE_FILE}) and uses the generic extractor for what the profile does not say. Try a few
pages first with salvage extract --explain, and correct the profile where they disagree.

Politeness: one keep-alive pool of 3 connections; CDX and captures each under their own rate limit;
any 429 pauses every request for at least a minute (growing); refused connections are taken as
an IP block: salvage waits (10 min, growing), probes gently, and tells you. Nothing already
stored is fetched again, so a stop costs waiting time, never work.

Exit codes: 0 finished (every article written or unrecovered; a capture that keeps failing
while others succeed is recorded as failed and the article moves on; an excluded URL or one the
Wayback has not archived is unrecovered with that reason) · 75 stopped early, resumable
(--max-wait reached, the CDX index kept failing, or fetches kept failing while nothing else
worked) · 130 interrupted (resumable) · 1 failed, one line with its code (WAYBACK_BLOCKED_SITE:
the Wayback blocks the site; WAYBACK_HTTP_ERROR: the CDX index refused the query; CDX_CURSOR_LOOP;
an unusable archive folder) · 2 bad usage.

Examples:
  salvage archive hkcnews --out hkcnews-archive
  salvage archive standnews.yaml --out standnews-archive
  salvage archive example.com/news/ --closed 2021-12-29 --out example-archive
  salvage status hkcnews-archive`,
  )
  .action(async (target: string, flags: Record<string, unknown>) => {
    const closed = flags['closed'] as string | undefined;
    if (closed !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(closed))
      throw new SalvageError('CONFIG_INVALID', `--closed must be a date YYYY-MM-DD, got "${closed}"`);
    const { site, profileText } = await resolveArchiveTarget(target, closed);
    if (profileText !== undefined) await keepProfile(flags['out'] as string, profileText);
    const { pages: summary, media } = await runArchive(site, {
      ...waybackFlags(flags),
      out: flags['out'] as string,
      media: flags['media'] !== false,
      cdxRpm: flags['cdxRpm'] as number,
      closestWindowMinutes: flags['closestWindow'] as number,
    });
    const p = summary.progress;
    const images =
      media === undefined
        ? ''
        : `; images: ${mediaSummary(media.counts)}${media.progress.failed ? `, ${media.progress.failed} failed (retried by the next run)` : ''}`;
    const tail = `${p.written} written, ${p.unrecovered} unrecovered${p.failed ? `, ${p.failed} failed (retried by the next run)` : ''} of ${p.articles} articles; ${p.fetched} captures fetched${p.cdxRowsSkipped ? `; ${p.cdxRowsSkipped} malformed CDX rows skipped` : ''}${images} → ${flags['out'] as string}`;
    const stop =
      summary.stop !== 'complete' ? summary : media !== undefined && media.stop !== 'complete' ? media : undefined;
    finishRun(stop, p.failed > 0 || (media?.progress.failed ?? 0) > 0, tail);
  });

waybackOptions(
  program
    .command('media')
    .description(
      "Rescue the images an archive's articles show: each asked of the Wayback Machine (im_) at its article's capture time, kept in DIR/media (content-addressed files, an index, the answers as WARC). Works on any archive folder, salvage import's included. Resumable: run it again to continue.",
    )
    .argument('<dir>', 'archive folder (articles/…)'),
  'images',
  DEFAULT_MEDIA_OPTIONS.concurrency,
)
  .option('-q, --quiet', 'no progress on stderr', false)
  .addHelpText(
    'after',
    `
What is kept: DIR/media/files/<ab>/<sha256>.<ext> (each distinct image once), DIR/media/media.sqlite
(image URL → outcome, type, width and height from the file's headers, the image's own capture
time), DIR/media/captures/*.warc.gz (every answer, as evidence). Article files are not changed.
An image is missing with its reason: not-archived, archived-error (only a 404 or another error
page was captured), not-image (whatever type it claims), truncated, excluded, refused, fetch-failed (tried
again by the next run). The same politeness rules as salvage archive apply.

Exit codes: 0 finished · 75 stopped early or some images failed (resumable) · 130 interrupted
(resumable) · 1 failed, one line with its code · 2 bad usage.

Examples:
  salvage media hkcnews-archive
  salvage import hkcnews-article-archive --out hk && salvage media hk`,
  )
  .action(async (dir: string, flags: Record<string, unknown>) => {
    const summary = await runMedia({ ...waybackFlags(flags), dir });
    const p = summary.progress;
    const tail = `${mediaSummary(summary.counts)}; this run: ${p.fetched} fetched, ${p.alreadyDone} already done${p.adopted ? `, ${p.adopted} adopted from the WARC` : ''} → ${dir}/media`;
    finishRun(summary.stop === 'complete' ? undefined : summary, p.failed > 0, tail);
  });

program
  .command('rebuild')
  .description(
    'Regenerate every archive file from the stored WARC files alone (no network). Damaged WARC bytes, and stored captures whose bytes are missing or damaged, are reported with their offsets (exit 1); every intact record is still read.',
  )
  .argument('<dir>', 'archive folder written by salvage archive')
  .option('-o, --out <dir>', 'write the articles here instead of <dir>')
  .option('-q, --quiet', 'no progress on stderr', false)
  .action(async (dir: string, flags: Record<string, unknown>) => {
    const out = (flags['out'] as string | undefined) ?? dir;
    const r = await rebuildArchive(dir, out, {
      profiles: await keptProfiles(dir),
      report: (line) => process.stderr.write(line + '\n'),
      ...(flags['quiet'] === true
        ? {}
        : {
            onProgress: (written: number, records: number) =>
              process.stderr.write(`${written} articles rebuilt from ${records} records\n`),
          }),
    });
    // The media store too, from the media WARCs (no network).
    const media = await restoreMedia(dir, out);
    const problems = [
      r.damaged > 0 ? `${r.damaged} damaged stretches of WARC bytes skipped` : '',
      (media?.damaged ?? 0) > 0 ? `${media?.damaged} damaged stretches of media WARC bytes skipped` : '',
      r.missingEvidence > 0
        ? `${r.missingEvidence} stored captures whose bytes are missing or damaged (salvage archive fetches them again)`
        : '',
    ].filter(Boolean);
    process.stdout.write(
      `rebuilt ${r.written} articles from ${r.records} WARC records → ${out}${media === undefined ? '' : `; images: ${mediaSummary(media.counts)}`}${problems.length > 0 ? `; ${problems.join('; ')}` : ''}\n`,
    );
    if (problems.length > 0) process.exitCode = EXIT.failed;
  });

program
  .command('status')
  .description(
    'Coverage of an archive folder: discovered, fetched, written, unrecovered by reason, retries, 429s, time blocked, per year, and missing evidence (stored captures whose WARC bytes are gone).',
  )
  .argument('<dir>', 'archive folder written by salvage archive')
  .option('--json', 'print JSON', false)
  .action((dir: string, flags: Record<string, unknown>) => {
    const status = statusReport(dir);
    process.stdout.write(flags['json'] === true ? JSON.stringify(status.json, null, 2) + '\n' : status.text + '\n');
  });

program
  .command('import')
  .description(
    'Lay out an existing archive (a folder of article_<id>.md files, or a .jsonl[.gz] of {"id","path","raw"} lines) as an archive folder; files are kept byte for byte.',
  )
  .argument('<source>', 'folder or .jsonl / .jsonl.gz file')
  .requiredOption(
    '-o, --out <dir>',
    'archive folder to write (articles/<lo>-<hi>/article_<id>.md); not the source, nor a folder whose articles/ holds it',
  )
  .option('-q, --quiet', 'no progress on stderr', false)
  .addHelpText(
    'after',
    `
Exit codes: 0 every input imported · 3 finished, some inputs skipped (each named on stderr with
its reason: bad id, bad JSON line, path disagreeing with the id, repeated id) · 1 failed ·
2 bad usage (e.g. --out is the source).

Temporary files that an interrupted import left in --out are removed by the next run (only those
of processes no longer running), and said on stderr.`,
  )
  .action(async (source: string, flags: Record<string, unknown>) => {
    const r = await runImport(source, flags['out'] as string, flags['quiet'] === true);
    for (const s of r.skipped.slice(0, 20)) process.stderr.write(`skipped ${s.path}: ${s.reason}\n`);
    if (r.skipped.length > 20) process.stderr.write(`… and ${r.skipped.length - 20} more skipped\n`);
    process.stdout.write(
      `imported ${r.files} files${r.skipped.length ? `, skipped ${r.skipped.length}` : ''} → ${flags['out'] as string}\n`,
    );
    // Skipped input is a partial import: a script must see it in the exit code (README "Exit codes").
    if (r.skipped.length > 0) {
      process.stderr.write(
        `${r.skipped.length} input${r.skipped.length === 1 ? '' : 's'} skipped (not imported); exit code ${EXIT.rejected}\n`,
      );
      process.exitCode = EXIT.rejected;
    }
  });

program
  .command('index')
  .description(
    'Build or update the full-text search index of an archive folder (DIR/search.sqlite). Incremental: unchanged files are not read again.',
  )
  .argument('<dir>', 'archive folder')
  .option('-q, --quiet', 'no progress on stderr', false)
  .addHelpText(
    'after',
    `
Takedowns: articles listed in DIR/takedowns.yaml are left out of the index (search, pages, the
static export) and their addresses show a tombstone (410 Gone) with the date and reason; their
files stay. Each entry names the article and says when, why and by whom:

  - id: 18733
    date: 2026-12-01
    reason: 應當事人要求移除
    by: 存檔編輯部

Run salvage index DIR after editing the list: it removes (or restores) only those articles.`,
  )
  .action(async (dir: string, flags: Record<string, unknown>) => {
    const t0 = Date.now();
    const p = await runIndex(dir, flags['quiet'] === true);
    for (const f of p.failed.slice(0, 20)) process.stderr.write(`not indexed ${f.path}: ${f.message}\n`);
    if (p.takedownImagesUnknown.length > 0)
      process.stderr.write(
        `warning: the file of taken-down article ${p.takedownImagesUnknown.slice(0, 5).join(', ')} could not be read and no earlier index recorded its images: they are not withheld\n`,
      );
    if (p.captures?.unreadable !== undefined)
      process.stderr.write(
        `warning: the crawl state could not be read (${p.captures.unreadable}); the TimeMaps keep the ${p.captures.held} captures the index listed before\n`,
      );
    for (const t of p.takedownRevisions)
      process.stderr.write(
        `warning: article ${t.id} is taken down, but other versions of the same story stay public: ${t.revisions.join(', ')} (list them in takedowns.yaml too if they should go)\n`,
      );
    process.stdout.write(
      `indexed ${p.indexed}, unchanged ${p.unchanged}, removed ${p.removed}, taken down ${p.takenDown}, failed ${p.failed.length} of ${p.seen} files in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    if (p.failed.length > 0) process.exitCode = EXIT.rejected;
  });

program
  .command('search')
  .description(
    'Search an indexed archive folder (Chinese substrings of any length: Traditional as typed, Simplified also as its Traditional readings; "phrases", -exclusions). Prints JSON.',
  )
  .argument('<dir>', 'archive folder with a search index')
  .argument('[query...]', 'query terms')
  .option('--limit <n>', 'results', positiveInteger, DEFAULT_SEARCH_OPTIONS.limit)
  .option('--offset <n>', 'skip this many results', nonNegativeInteger, DEFAULT_SEARCH_OPTIONS.offset)
  .addOption(new Option('--sort <order>', 'relevance or date').choices(['relevance', 'date']).default('relevance'))
  .option('--from <date>', 'on or after YYYY-MM-DD')
  .option('--to <date>', 'on or before YYYY-MM-DD')
  .option('--category <name>', 'exact category')
  .option('--author <name>', 'exact author')
  .option('--tag <name>', 'exact tag')
  .option('--group', 'one result per revision group (total still counts articles)', false)
  .option('--facets', 'also count the matching articles per year and per category', false)
  .addHelpText(
    'after',
    `
Examples:
  salvage search hkcnews-archive 林鄭月娥 --sort date --limit 5
  salvage search hkcnews-archive '"新增確診" -疫苗' --from 2020-01-01 --to 2020-12-31
  salvage search hkcnews-archive -- 議員 -疫苗        (-- before terms that start with -)`,
  )
  .action((dir: string, query: string[], flags: Record<string, unknown>) => {
    const options: SearchOptions = {
      q: query.join(' '),
      limit: flags['limit'] as number,
      offset: flags['offset'] as number,
      sort: flags['sort'] as 'relevance' | 'date',
      group: flags['group'] === true,
      facets: flags['facets'] === true,
    };
    for (const key of ['from', 'to', 'category', 'author', 'tag'] as const)
      if (typeof flags[key] === 'string') options[key] = flags[key];
    process.stdout.write(JSON.stringify(runSearch(dir, options), null, 2) + '\n');
  });

program
  .command('serve')
  .description(
    'Read an indexed archive folder in a browser: pages by date, category, tag and author, article pages with citations, search, original-URL lookup, and a JSON API.',
  )
  .argument('<dir>', 'archive folder with a search index (salvage index DIR)')
  .option('-p, --port <n>', 'TCP port (0: any free port)', portNumber, DEFAULT_SERVE_PORT)
  .option('--host <address>', 'interface to listen on (0.0.0.0 or :: to serve other machines)', DEFAULT_SERVE_HOST)
  .option(
    '--load-images',
    'show article images, loaded from web.archive.org (the only third-party host allowed); without it images are links',
    false,
  )
  .option(
    '--workers <n>',
    `server processes sharing the port (default: one per core, at most ${MAX_DEFAULT_WORKERS}; 1: this process only)`,
    positiveInteger,
  )
  .option('--no-page-store', 'do not keep rendered pages in DIR/reader-pages.sqlite (each worker renders into memory)')
  .addHelpText(
    'after',
    `
Pages: / (latest, calendar) · /date/YYYY/MM/DD/ · /on-this-day/ · /categories/ · /tags/ · /authors/
· /article/<id>/ · /search/?q= · /lookup/?url=<any hkcnews article URL>. JSON: /api/search?q=…
and /api/articles/<id> (docs/api.md). Atom feeds: /feed.xml, /category/<name>/feed.xml,
/tag/<name>/feed.xml. No page makes a third-party request unless --load-images.
A page is rendered once and kept, compressed, in DIR/reader-pages.sqlite for every worker and
restart (salvage render DIR fills it ahead; a salvage index that changes the archive retires it).
Stop with Ctrl-C.

Examples:
  salvage serve hkcnews-archive
  salvage serve hkcnews-archive --port 3000 --load-images`,
  )
  .action(async (dir: string, flags: Record<string, unknown>) => {
    const options = {
      port: flags['port'] as number,
      host: flags['host'] as string,
      loadImages: flags['loadImages'] === true,
      workers: (flags['workers'] as number | undefined) ?? defaultWorkers(),
      pageStore: flags['pageStore'] !== false,
    };
    await serveCommand(dir, options, (line) => process.stdout.write(`${line}\n`));
  });

program
  .command('render')
  .description(
    'Render every page of an indexed archive folder once into DIR/reader-pages.sqlite (compressed), so salvage serve answers each page with a lookup. Optional: serve renders a page on its first request anyway.',
  )
  .argument('<dir>', 'archive folder with a search index (salvage index DIR)')
  .option('--load-images', 'render the pages salvage serve --load-images shows (the options must match)', false)
  .option('-q, --quiet', 'no progress lines', false)
  .addHelpText(
    'after',
    `
Resumable: pages already stored are skipped. A salvage index that changes the archive, a new
salvage version or other serve options retire the stored pages; run it again after those.

Example:
  salvage index hkcnews-archive && salvage render hkcnews-archive && salvage serve hkcnews-archive`,
  )
  .action(async (dir: string, flags: Record<string, unknown>) => {
    requireTakedownsApplied(dir);
    const started = Date.now();
    const line = (p: PrerenderProgress): string =>
      `${p.seen} pages seen · ${p.stored} rendered · ${p.kept} already stored · ${((Date.now() - started) / 1000).toFixed(0)} s`;
    const p = await prerender({ dir, loadImages: flags['loadImages'] === true }, (p) => {
      if (flags['quiet'] !== true) process.stderr.write(`${line(p)}\n`);
    });
    process.stdout.write(
      `rendered ${p.stored} pages (${p.kept} already stored) into ${p.file} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  });

registerExportCommands(program);
registerVerifyCommand(program);

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  // A closed pipe (`salvage … | head`) is the reader's choice, not an error.
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has said it already: the help or the version (exit code 0), the help asked for by
    // no command at all (1), or a usage error in one line (1). Only the exit code is ours to set.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (isSalvageError(error)) {
    process.stderr.write(`salvage: ${error.message} [${error.code}]\n`);
    process.exitCode = error.code === 'CONFIG_INVALID' ? EXIT.usage : EXIT.failed;
  } else {
    process.stderr.write(
      `salvage: internal error — please report it with the command and input:\n${(error as Error).stack ?? String(error)}\n`,
    );
    process.exitCode = EXIT.internal;
  }
}

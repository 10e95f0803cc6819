/** `salvage export` (data dumps) and `salvage export-site` (the reader as static files): flags and output only. */
import { requireTakedownsApplied } from './read-commands.js';
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  COMPACT_MAX_FILES,
  DEFAULT_EXPORT_SITE_OPTIONS,
  exportDump,
  exportSite,
  type DumpFormat,
  type ExportSiteProgress,
} from '../export/index.js';

/** Finished, some input left out: main.ts EXIT.rejected (this module cannot import the entry point). */
const EXIT_PARTIAL = 3;

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** A progress line on stderr: redrawn on a terminal, one line per step otherwise; nothing when quiet. */
function progressWriter(quiet: boolean): { line: (text: string) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  let drawn = false;
  return {
    line: (text) => {
      if (quiet) return;
      if (tty) {
        process.stderr.write(`\r\x1b[K${text}`);
        drawn = true;
      } else process.stderr.write(`${text}\n`);
    },
    done: () => {
      if (drawn) process.stderr.write('\r\x1b[K');
      drawn = false;
    },
  };
}

/** Register `export` and `export-site` on the program. */
export function registerExportCommands(program: Command): void {
  program
    .command('export')
    .description(
      'Write a data dump of an archive folder for research: JSON lines or a standalone SQLite database, with a SHA-256 manifest.',
    )
    .argument('<dir>', 'archive folder (articles/<lo>-<hi>/article_<id>.md; no search index needed)')
    .addOption(
      new Option(
        '--format <format>',
        'jsonl: one JSON object per article (gzip when --out ends in .gz); sqlite: tables articles, tags, groups, meta',
      )
        .choices(['jsonl', 'sqlite'])
        .makeOptionMandatory(),
    )
    .option('-o, --out <file>', 'dump file (default: <name of DIR>.jsonl.gz or <name of DIR>.sqlite here)')
    .option('--json', 'print the report as JSON', false)
    .option('-q, --quiet', 'no progress on stderr', false)
    .addHelpText(
      'after',
      `
Each article: id, path, site, title, date, last_updated, author, category, tags, url,
original_url, captured_at, sha256 (of the capture), group_id (revision group: the smallest id of
the articles with the same title, date and author), file_sha256, file_bytes, body_markdown, text.
Absent values are null. Articles are in id order; files that cannot be parsed are listed in the
manifest as skipped.

Beside the dump: FILE.manifest.json (format, schema and field list, salvage version, creation
time, the dump's size and SHA-256, counts, and the SHA-256 and size of every source archive file)
and FILE.sha256 (check with: sha256sum -c FILE.sha256). The dump is written to a temporary file
and renamed when complete, so a dump under its name is always whole.

Examples:
  salvage export hkcnews-archive --format jsonl --out hkcnews.jsonl.gz
  salvage export hkcnews-archive --format sqlite --out hkcnews.sqlite`,
    )
    .action(async (dir: string, flags: Record<string, unknown>) => {
      const progress = progressWriter(flags['quiet'] === true);
      const report = await exportDump(dir, {
        format: flags['format'] as DumpFormat,
        ...(typeof flags['out'] === 'string' ? { out: flags['out'] } : {}),
        onProgress: (done, of) => progress.line(`${done} of ${of} articles`),
        onLeftover: (l) => {
          progress.done();
          process.stderr.write(
            `removed ${l.path}: left by an interrupted export (process ${l.pid}, no longer running)\n`,
          );
        },
      });
      progress.done();
      for (const s of report.skipped.slice(0, 20)) process.stderr.write(`skipped ${s.path}: ${s.message}\n`);
      if (flags['json'] === true) process.stdout.write(JSON.stringify(report) + '\n');
      else
        process.stdout.write(
          `${report.articles} articles (${report.groups} revision groups${report.skipped.length > 0 ? `, ${report.skipped.length} skipped` : ''}) → ${report.out} (${mb(report.bytes)}, sha256 ${report.sha256}) in ${report.seconds.toFixed(1)} s; manifest ${report.manifest}\n`,
        );
    });

  program
    .command('export-site')
    .description(
      'Write the reader as a static website (every page, plus client-side search over a sharded index) for hosting anywhere.',
    )
    .argument('<dir>', 'archive folder with a search index (salvage index DIR)')
    .requiredOption(
      '-o, --out <dir>',
      'site folder to write (replaced if it holds an earlier export; must not be another non-empty folder)',
    )
    .option(
      '--concurrency <n>',
      'pages rendered at once',
      (v) => Math.max(1, Math.floor(Number(v)) || 1),
      DEFAULT_EXPORT_SITE_OPTIONS.concurrency,
    )
    .option('--load-images', 'show article images from web.archive.org (default: images are links)', false)
    .option(
      '--compact',
      `at most --max-files files (default ${COMPACT_MAX_FILES}, Cloudflare Pages' limit): pages that do not fit as files are assembled in the browser`,
      false,
    )
    .option('--max-files <n>', `the file limit of --compact (implies it; default ${COMPACT_MAX_FILES})`, (v) => {
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
      return n;
    })
    .option(
      '--base-path <path>',
      'the path the site will be served under, for 404.html only (every other page links relative to itself)',
      DEFAULT_EXPORT_SITE_OPTIONS.basePath,
    )
    .option('--json', 'print the report as JSON', false)
    .option('-q, --quiet', 'no progress on stderr', false)
    .addHelpText(
      'after',
      `
SITE holds <path>/index.html for every page (home, dates, on-this-day, categories, tags, authors,
articles, search, lookup), 404.html, assets/ (stylesheet, scripts, static-search.js) and
search-index/ (the search in the browser: postings of every character and character pair of the
folded text, sharded and gzipped so a query loads only its tokens; results equal the server's).
Pages link relative to themselves, so the folder can be served at a host's root or under any path
(https://user.github.io/repo/); give that path as --base-path for the 404 page. --compact fits
hosts that limit files: articles, tag, author and category pages that do not fit under
--max-files go into pages/ data files, which 404.html (the page a static host answers for an
address it has no file for) assembles in the browser; tags get no Atom feed. It is built beside SITE in
.SITE.partial-<pid> and renamed into place at the end; leftovers of an interrupted run whose
process is gone are removed by the next run (and said on stderr). An article whose date is not
a calendar date (2020-13-45) is exported with the date as text and no date page, with a warning.

Examples:
  salvage export-site hkcnews-archive --out hkcnews-site
  salvage export-site hkcnews-archive --out docs --base-path /hkcnews-archive/   (a GitHub Pages project site)
  (cd hkcnews-site && python3 -m http.server 8000)`,
    )
    .action(async (dir: string, flags: Record<string, unknown>) => {
      requireTakedownsApplied(dir);
      const progress = progressWriter(flags['quiet'] === true);
      const started = Date.now();
      const show = (e: ExportSiteProgress): void => {
        const s = ((Date.now() - started) / 1000).toFixed(0);
        if (e.phase === 'pages') progress.line(`${s} s · ${e.done} pages written`);
        else if (e.phase === 'index-documents') progress.line(`${s} s · search index: ${e.done} articles read`);
        else if (e.phase === 'index-postings') progress.line(`${s} s · search index: postings ${e.done}/${e.of}`);
        else progress.line(`${s} s · bundling the client script`);
      };
      const report = await exportSite(dir, {
        out: flags['out'] as string,
        concurrency: flags['concurrency'] as number,
        loadImages: flags['loadImages'] === true,
        basePath: flags['basePath'] as string,
        ...(flags['compact'] === true || flags['maxFiles'] !== undefined
          ? { compact: { maxFiles: (flags['maxFiles'] as number | undefined) ?? COMPACT_MAX_FILES } }
          : {}),
        onProgress: show,
        onLeftover: (l) => {
          progress.done();
          process.stderr.write(
            l.action === 'restored'
              ? `restored ${l.path} (the previous site, moved aside by an interrupted export-site, process ${l.pid}) as the site folder\n`
              : `removed ${l.path}: left by an interrupted export-site (process ${l.pid}, no longer running)\n`,
          );
        },
      });
      progress.done();
      for (const p of report.skippedPages.slice(0, 20))
        process.stderr.write(
          `not exported ${p.path}: the page answered ${p.status}${p.status === 404 ? ' (its archive file is gone or unreadable since salvage index)' : ' (a bug: please report it)'}\n`,
        );
      if (report.skippedPages.length > 20)
        process.stderr.write(`… and ${report.skippedPages.length - 20} more pages not exported\n`);
      // A site with pages left out is finished but not whole: say so in the exit code (README "Exit codes").
      if (report.skippedPages.length > 0) process.exitCode = EXIT_PARTIAL;
      for (const b of report.badDates.slice(0, 20))
        process.stderr.write(
          `article ${b.id}: date ${JSON.stringify(b.date)} is not a calendar date; exported with the date as text and no date page\n`,
        );
      if (report.badDates.length > 20)
        process.stderr.write(`… and ${report.badDates.length - 20} more articles with such a date\n`);
      if (flags['json'] === true) process.stdout.write(JSON.stringify(report) + '\n');
      else
        process.stdout.write(
          `${report.pages} pages, ${report.files} files, ${mb(report.bytes)} (search index ${mb(report.index.bytes)} in ${report.index.files} files; ${report.media.files} images, ${mb(report.media.bytes)}; client ${(report.clientBytes / 1024).toFixed(1)} KiB) → ${report.out} in ${report.seconds.total.toFixed(1)} s\n`,
        );
      const c = report.compact;
      if (c !== undefined && flags['json'] !== true)
        process.stdout.write(
          `compact: ${c.pagesInData} pages in ${c.dataFiles} data files (${mb(c.dataBytes)}), assembled in the browser; ${c.feedsLeftOut} tag feeds and ${c.timeMapsLeftOut} TimeMaps left out\n`,
        );
      if (c !== undefined && report.files > c.maxFiles)
        process.stderr.write(
          `warning: ${report.files} files, over --max-files ${c.maxFiles}: the search index and the pages that are always files (dates, on-this-day, feeds) alone need that many\n`,
        );
    });
}

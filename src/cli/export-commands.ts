/** `salvage export` (data dumps) and `salvage export-site` (the reader as static files): flags and output only. */
import { requireTakedownsApplied } from './read-commands.js';
import { statusReport } from './archive-command.js';
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  BAG_ALGORITHMS,
  BAG_DUMP_PATH,
  COMPACT_MAX_FILES,
  DEFAULT_BAG_OPTIONS,
  DEFAULT_EXPORT_SITE_OPTIONS,
  DEFAULT_WACZ_OPTIONS,
  exportBag,
  exportDump,
  exportSite,
  writeWacz,
  jsonPart,
  parseBagInfoLine,
  type BagPart,
  type DumpFormat,
  type ExportBagProgress,
  type ExportSiteProgress,
  type WaczProgress,
} from '../export/index.js';
import { basename, resolve } from 'node:path';
import { isSalvageError, SalvageError } from '../errors.js';

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
      'Write a data dump of an archive folder for research (JSON lines or a standalone SQLite database, with a SHA-256 manifest), its captures as a WACZ, or a BagIt bag of a release.',
    )
    .argument('<dir>', 'archive folder (articles/<lo>-<hi>/article_<id>.md; no search index needed)')
    .addOption(
      new Option(
        '--format <format>',
        'jsonl: one JSON object per article (gzip when --out ends in .gz); sqlite: tables articles, tags, groups, meta; wacz: the WARCs with a CDXJ index and the article pages (WACZ 1.1.1); bagit: a BagIt 1.0 bag (RFC 8493) of the release',
      )
        .choices(['jsonl', 'sqlite', 'wacz', 'bagit'])
        .makeOptionMandatory(),
    )
    .option(
      '-o, --out <path>',
      'output file (default: <name of DIR>.jsonl.gz, <name of DIR>.sqlite or <name of DIR>.wacz here); with bagit, the bag folder (default: <name of DIR>-bag here)',
    )
    .option(
      '--no-page-text',
      "wacz: page entries without the articles' text (a smaller WACZ; a replay's search then has titles only)",
    )
    .option(
      '--main-pages <n>',
      `wacz: list at most N pages, the most recently published, in pages/pages.jsonl and the others in pages/extraPages.jsonl; "all" lists every page in pages.jsonl (ReplayWeb.page loads pages.jsonl whole before it replays anything) (default: ${DEFAULT_WACZ_OPTIONS.mainPages})`,
      (value: string) => {
        if (value === 'all') return Infinity;
        const n = Number(value);
        if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number ≥ 0, or "all"');
        return n;
      },
    )
    .option(
      '--organization <name>',
      `bagit: Source-Organization, who transfers the bag (default: "${DEFAULT_BAG_OPTIONS.organization}")`,
    )
    .option('--description <text>', 'bagit: External-Description (default: drawn from what the bag holds)')
    .option(
      '--info <label: value>',
      'bagit: one more bag-info element, e.g. "Contact-Email: a@b.org" (repeatable)',
      (line: string, list: string[]) => [...list, line],
      [],
    )
    .option('--replace', 'bagit: replace the bag folder when it holds an earlier bag', false)
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

--format wacz packages the archive's captures for web-archive tools (ReplayWeb.page, pywb):
archive/ holds every WARC of captures/ and media/captures/ (as pages-<name> and media-<name>,
copied byte for byte and stored uncompressed), indexes/index.cdxj their response and revisit
records (from 3,000 records a ZipNum index: index.cdx.gz and index.idx), one entry per article
page (original URL, capture time, title and extracted text): the ${DEFAULT_WACZ_OPTIONS.mainPages} most recently published
in pages/pages.jsonl (--main-pages), the others in pages/extraPages.jsonl; datapackage.json every
file's SHA-256 and size. Taken-down articles
(takedowns.yaml, applied by salvage index) are left out with their captures and images.

bagit: BAG/data holds the article files, the images and a consistent copy of the media index,
the JSON-lines dump of those articles with its manifest (data/${BAG_DUMP_PATH}), the
coverage report (data/coverage.json, as salvage status --json), the site profile, and the
captures as a WACZ; not the
WARCs themselves (they are in data/captures.wacz, when the archive has any). Taken-down articles and their images are left out. Tag files: bagit.txt, bag-info.txt
(Source-Organization, External-Description, Bagging-Date, Payload-Oxum, Bag-Size,
Bag-Software-Agent, Salvage-Site, Salvage-Articles, Salvage-Images, Salvage-Takedowns,
Salvage-Article-Dates, and any --info), manifest-${BAG_ALGORITHMS.join('.txt and manifest-')}.txt and
their tag manifests. Article and image files are hard links to the archive's when on the same
file system (salvage never writes into them after they are complete; edit neither in place).
Built in .BAG.partial-<pid> beside BAG and renamed into place. Check it with any BagIt
validator, or: cd BAG && sha256sum -c manifest-sha256.txt
Exit codes: 0 · 3 finished, some images the media index lists were missing from the archive
(left out, named on stderr) · 1 failed · 2 bad usage.

Examples:
  salvage export hkcnews-archive --format jsonl --out hkcnews.jsonl.gz
  salvage export hkcnews-archive --format sqlite --out hkcnews.sqlite
  salvage export hkcnews-archive --format wacz --out hkcnews.wacz
  salvage export hkcnews-archive --format bagit --out hkcnews-2026-12 --organization "HK News Archive" --info "Contact-Email: archive@example.org"`,
    )
    .action(async (dir: string, flags: Record<string, unknown>) => {
      if (flags['format'] === 'bagit') {
        await bagCommand(dir, flags, progressWriter(flags['quiet'] === true));
        return;
      }
      if (flags['format'] !== 'wacz' && flags['mainPages'] !== undefined)
        throw new SalvageError('CONFIG_INVALID', `--main-pages is for --format wacz, not ${flags['format'] as string}`);
      const bagOnly = ['organization', 'description', 'replace'].filter(
        (f) => flags[f] !== undefined && flags[f] !== false,
      );
      if ((flags['info'] as string[]).length > 0) bagOnly.push('info');
      if (bagOnly.length > 0)
        throw new SalvageError(
          'CONFIG_INVALID',
          `--${bagOnly[0]} is for --format bagit, not ${flags['format'] as string}`,
        );
      if (flags['format'] === 'wacz') return exportWacz(dir, flags);
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
    .option(
      '--wacz <file>',
      'publish this WACZ (salvage export DIR --format wacz) with ReplayWeb.page: article pages link "the page as captured", replayed from the site itself',
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
address it has no file for) assembles in the browser; tags get no Atom feed. --wacz FILE adds
replay/: the WACZ (archive.wacz), ReplayWeb.page (its service worker reads the WACZ with range
requests and replays a capture in the browser, loading nothing from elsewhere) and a page that
replays one capture; every article whose original URL the WACZ holds links to its own capture
there. Replay needs the site served over HTTPS (or from localhost) by a host that answers range
requests. A WACZ holding a capture the archive has taken down is refused. It is built beside SITE in
.SITE.partial-<pid> and renamed into place at the end; leftovers of an interrupted run whose
process is gone are removed by the next run (and said on stderr). An article whose date is not
a calendar date (2020-13-45) is exported with the date as text and no date page, with a warning.

Examples:
  salvage export-site hkcnews-archive --out hkcnews-site
  salvage export-site hkcnews-archive --out docs --base-path /hkcnews-archive/   (a GitHub Pages project site)
  salvage export-site hkcnews-archive --out hkcnews-site --wacz hkcnews.wacz
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
        ...(typeof flags['wacz'] === 'string' ? { wacz: flags['wacz'] } : {}),
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
      const r = report.replay;
      if (r !== undefined && flags['json'] !== true)
        process.stdout.write(
          `replay: WACZ ${mb(r.waczBytes)} (${r.captures} captures), ReplayWeb.page ${r.replayWebPage}; ${r.linked} articles link the page as captured${r.notInWacz > 0 ? `, ${r.notInWacz} whose URL the WACZ does not hold do not` : ''}${r.shownAsBytes > 0 ? `, ${r.shownAsBytes} whose captured page a replay would show as gzip bytes do not` : ''}\n`,
        );
      if (r !== undefined && r.shownAsBytes > 0)
        process.stderr.write(
          `note: the Wayback served ${r.shownAsBytes} articles' captured pages gzipped without saying so (Content-Encoding missing); ReplayWeb.page would show their bytes, so their pages have no link to the page as captured (their Markdown was read from the decoded page)\n`,
        );
      if (r !== undefined && r.notInWacz > 0)
        process.stderr.write(
          `warning: the WACZ holds no capture of ${r.notInWacz} articles' original URLs; their pages have no link to the page as captured\n`,
        );
      const c = report.compact;
      if (c !== undefined && flags['json'] !== true)
        process.stdout.write(
          `compact: ${c.pagesInData} pages in ${c.dataFiles} data files (${mb(c.dataBytes)}), assembled in the browser; ${c.feedsLeftOut} tag feeds and ${c.timeMapsLeftOut} TimeMaps left out\n`,
        );
    });
}

/** `salvage export DIR --format wacz`. */
async function exportWacz(dir: string, flags: Record<string, unknown>): Promise<void> {
  const progress = progressWriter(flags['quiet'] === true);
  const out = typeof flags['out'] === 'string' ? flags['out'] : `${basename(resolve(dir))}.wacz`;
  const show = (p: WaczProgress): void => {
    if (p.phase === 'pages') progress.line(`pages: ${p.done} of ${p.of} articles`);
    else progress.line(`${p.phase === 'index' ? 'indexing' : 'packing'} the WARCs: ${mb(p.bytes)} of ${mb(p.of)}`);
  };
  const report = await writeWacz(dir, out, {
    pageText: flags['pageText'] !== false,
    ...(typeof flags['mainPages'] === 'number' ? { mainPages: flags['mainPages'] } : {}),
    onProgress: show,
    onLeftover: (l) => {
      progress.done();
      process.stderr.write(`removed ${l.path}: left by an interrupted export (process ${l.pid}, no longer running)\n`);
    },
  });
  progress.done();
  for (const d of report.damaged.slice(0, 20))
    process.stderr.write(
      `${d.source}@${d.offset}: ${d.bytes} bytes hold no whole record (${d.detail}); copied, not indexed\n`,
    );
  if (report.damagedCount > 20) process.stderr.write(`… and ${report.damagedCount - 20} more damaged stretches\n`);
  for (const p of report.pagesLeftOut.slice(0, 20))
    process.stderr.write(`not in the page lists: ${p.path}: ${p.reason}\n`);
  if (report.pagesLeftOutCount > 20)
    process.stderr.write(`… and ${report.pagesLeftOutCount - 20} more article files not in the page lists\n`);
  if (flags['json'] === true) process.stdout.write(JSON.stringify(report) + '\n');
  else
    process.stdout.write(
      `${report.pages} pages (${report.mainPages} in pages.jsonl), ${report.records} records in ${report.warcs.length} WARC files${report.takenDown.length > 0 ? ` (${report.takenDown.length} taken-down articles left out, ${report.withheldRecords} records)` : ''} → ${report.out} (${mb(report.bytes)}, sha256 ${report.sha256}) in ${report.seconds.toFixed(1)} s\n`,
    );
}

/** `salvage export DIR --format bagit`: the coverage report wired in as a part, the bag written, the report rendered. */
async function bagCommand(
  dir: string,
  flags: Record<string, unknown>,
  progress: ReturnType<typeof progressWriter>,
): Promise<void> {
  // Parsed here, not by commander: a malformed element is CONFIG_INVALID, bad usage (exit 2).
  const info = (flags['info'] as string[]).map(parseBagInfoLine);
  const parts: BagPart[] = [];
  try {
    const status = statusReport(dir).json;
    parts.push(jsonPart('coverage.json', 'the coverage report of the rescue', () => status));
  } catch (error) {
    // An archive neither rescued nor given images (salvage import alone) has no coverage to report.
    if (!isSalvageError(error) || error.code !== 'INPUT_UNREADABLE') throw error;
    process.stderr.write(`no coverage report in the bag: ${error.message}\n`);
  }
  const started = Date.now();
  const show = (e: ExportBagProgress): void => {
    const s = ((Date.now() - started) / 1000).toFixed(0);
    if (e.phase === 'articles') progress.line(`${s} s · ${e.done} article files`);
    else if (e.phase === 'media') progress.line(`${s} s · ${e.done} images`);
    else if (e.phase === 'dump') progress.line(`${s} s · dump: ${e.done} of ${e.of} articles`);
    else if (e.phase === 'part') progress.line(`${s} s · ${e.path}`);
    else progress.line(`${s} s · manifests: ${e.files} files, ${mb(e.bytes)} hashed`);
  };
  const report = await exportBag(dir, {
    ...(typeof flags['out'] === 'string' ? { out: flags['out'] } : {}),
    ...(typeof flags['organization'] === 'string' ? { organization: flags['organization'] } : {}),
    ...(typeof flags['description'] === 'string' ? { description: flags['description'] } : {}),
    info,
    replace: flags['replace'] === true,
    parts,
    onProgress: show,
    onLeftover: (l) => {
      progress.done();
      process.stderr.write(
        l.action === 'restored'
          ? `restored ${l.path} (the previous bag, moved aside by an interrupted export, process ${l.pid}) as the bag folder\n`
          : `removed ${l.path}: left by an interrupted export (process ${l.pid}, no longer running)\n`,
      );
    },
  });
  progress.done();
  for (const w of report.warnings) process.stderr.write(`warning: ${w}\n`);
  const missing = report.media?.missing ?? [];
  for (const file of missing.slice(0, 20))
    process.stderr.write(
      `left out media/${file}: the media index lists it as stored but the archive has no such file\n`,
    );
  if (missing.length > 20) process.stderr.write(`… and ${missing.length - 20} more missing images\n`);
  // A bag with images left out is finished but not whole: say so in the exit code (README "Exit codes").
  if (missing.length > 0) process.exitCode = EXIT_PARTIAL;
  if (flags['json'] === true) process.stdout.write(JSON.stringify(report) + '\n');
  else
    process.stdout.write(
      `${report.articles} articles, ${report.media?.files ?? 0} images, ${report.payload.files} payload files (${mb(report.payload.bytes)}; ${report.links.linked} hard links, ${report.links.copied} copies)${report.takenDown > 0 ? `, ${report.takenDown} taken down left out` : ''} → ${report.out} in ${report.seconds.total.toFixed(1)} s\n`,
    );
}

/** `salvage verify`: flags, progress and the rendering of its findings and report. */
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { keptProfiles } from './site-choice.js';
import {
  verifyPath,
  verifyTargetOf,
  type IntegrityFinding,
  type VerifyProgress,
  type VerifyReport,
} from '../verify/index.js';
import type { SiteProfile } from '../extract/index.js';

/**
 * Damage found: something missing, altered or extra (README "Exit codes"). EX_DATAERR of
 * sysexits.h, beside the 70 and 75 salvage already uses; main.ts's EXIT table cannot be
 * imported from here (it is the entry point).
 */
export const EXIT_DAMAGE = 65;
/** Text output lists this many findings of one kind (check and code) and then counts the rest; --json lists all. */
const LINES_PER_KIND = { damage: 1000, notice: 20 } as const;
/** Progress lines when stderr is not a terminal, at most this often. */
const LOG_EVERY_MS = 30_000;
/** Redraws of the terminal progress line, at most this often. */
const REDRAW_MS = 200;

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function progressLine(p: VerifyProgress): string {
  const amount = (n: number): string => (p.unit === 'bytes' ? mib(n) : `${n} ${p.unit}`);
  const label = {
    warc: 'WARC records',
    'media-warc': 'media WARC records',
    articles: 'article files',
    media: 'image files',
    bag: 'bag files',
    dump: 'dump',
    wacz: 'WACZ resources',
  }[p.phase];
  return `verify: ${label} · ${amount(p.done)}${p.of !== undefined ? ` of ${amount(p.of)}` : ''}`;
}

/** The last line of a text report: what was checked, what was found, how long it took. */
function summaryLine(r: VerifyReport): string {
  const c = r.checked;
  const parts: string[] = [];
  for (const [w, what] of [
    [c.warc, 'WARC'],
    [c.mediaWarc, 'media WARC'],
  ] as const)
    if (w !== undefined)
      parts.push(
        `${w.records} ${what} records in ${w.files} files (${mib(w.bytes)}; digests: ${w.blockDigests.ok + w.payloadDigests.ok} match${w.places > 0 ? `; ${w.placesIntact} of ${w.places} indexed records intact` : ''})`,
      );
  if (c.articles !== undefined) {
    const a = c.articles;
    parts.push(
      `${a.written} written articles (${a.rebuiltEqual} rebuilt byte for byte from their captures${a.asWritten > 0 ? `, ${a.asWritten} as written` : ''}${a.rebuildDiffers > 0 ? `, ${a.rebuildDiffers} differ from a rebuild` : ''}${a.notCheckable > 0 ? `, ${a.notCheckable} not checkable` : ''})`,
    );
  }
  if (c.media !== undefined) parts.push(`${c.media.intact} of ${c.media.files} image files intact`);
  if (c.databases !== undefined && c.databases.length > 0)
    parts.push(`${c.databases.filter((d) => d.ok).length} of ${c.databases.length} databases sound`);
  if (c.bag !== undefined)
    parts.push(
      `bag ${c.bag.version ?? '?'}: ${c.bag.payloadFiles} payload files (${mib(c.bag.payloadBytes)}), ${c.bag.checksums} checksums (${[...c.bag.payloadAlgorithms, ...c.bag.tagAlgorithms.map((a) => `tag ${a}`)].join(', ')})`,
    );
  if (c.wacz !== undefined)
    parts.push(
      `WACZ ${c.wacz.version ?? '?'}: ${c.wacz.resourcesIntact} of ${c.wacz.resources} resources intact, ${c.wacz.entries} ZIP entries (${mib(c.wacz.bytes)})`,
    );
  if (c.dump !== undefined)
    parts.push(`dump ${c.dump.dump}${c.dump.bytes !== undefined ? ` (${mib(c.dump.bytes)})` : ''}`);
  const f = r.findings;
  const verdict = r.clean ? `clean` : `DAMAGE FOUND: ${f.missing} missing, ${f.altered} altered, ${f.extra} extra`;
  return `${verdict}${f.notice > 0 ? ` (${f.notice} notices)` : ''} — ${r.path} (${r.target}): ${parts.join('; ')} — ${r.seconds.toFixed(1)} s`;
}

/** Register `verify` on the program. */
export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description(
      'Recompute every digest an archive folder, a BagIt bag, a data dump, a WACZ or a WARC file stores, and report what is missing, altered or extra (exit 65 when anything is).',
    )
    .argument(
      '<path>',
      'an archive folder, a bag (bagit.txt), a dump (FILE, FILE.manifest.json or FILE.sha256), a .wacz, or a .warc/.warc.gz file',
    )
    .option(
      '--no-rebuild',
      'do not rebuild the article files from their captures: hold each to the SHA-256 recorded when it was written (much faster)',
    )
    .option(
      '--json',
      'one JSON object per line: each finding ({"type":"finding",…}), then the report ({"type":"report",…})',
      false,
    )
    .option('-q, --quiet', 'no progress on stderr, and no notices in the text output', false)
    .addHelpText(
      'after',
      `
An archive folder: every record of captures/ and media/captures/ is read (gzip framing,
Content-Length) and its WARC-Block-Digest and WARC-Payload-Digest recomputed (sha1, sha256,
sha512, md5; hex or base32); every record state.sqlite and media/media.sqlite name must be a
whole record there; every written article's file is rebuilt from its capture as the rescue
wrote it and compared byte for byte, its frontmatter sha256 held to the capture's payload;
every image file to its name and the media index; article and image files nothing names are
extra. Both databases get SQLite's quick_check; coverage.json must agree with the state.
A bag (RFC 8493): bagit.txt, every manifest-<alg>.txt and tagmanifest-<alg>.txt checksum,
every payload file in every payload manifest, Payload-Oxum. A dump: its size and SHA-256
against FILE.manifest.json and FILE.sha256. A WACZ: every ZIP entry's CRC-32, every resource of
datapackage.json against its bytes and hash, datapackage-digest.json, entries it does not list.
Nothing verified is written to.

Exit codes: 0 clean (notices are printed but are not damage) · 65 damage found · 1 PATH cannot
be verified (missing, not an archive, bag, dump or WARC) · 2 bad usage.

Examples:
  salvage verify hkcnews-archive
  salvage verify hkcnews-bag --json > verify.jsonl
  salvage verify hkcnews.jsonl.gz
  # weekly, from cron: mail the report only when something is wrong
  0 3 * * 0  salvage verify /srv/hkcnews-archive --quiet > /tmp/verify.txt || mail -s "archive damage" you@example.org < /tmp/verify.txt`,
    )
    .action(async (path: string, flags: Record<string, unknown>) => {
      const json = flags['json'] === true;
      const quiet = flags['quiet'] === true;
      const tty = process.stderr.isTTY === true;
      let drawn = false;
      let last = tty ? 0 : Date.now();
      const clear = (): void => {
        if (drawn) process.stderr.write('\r\x1b[K');
        drawn = false;
      };
      const onProgress = (p: VerifyProgress): void => {
        if (quiet) return;
        const now = Date.now();
        if (now - last < (tty ? REDRAW_MS : LOG_EVERY_MS)) return;
        last = now;
        if (tty) {
          process.stderr.write(`\r\x1b[K${progressLine(p)}`);
          drawn = true;
        } else process.stderr.write(`${progressLine(p)}\n`);
      };
      const shown = new Map<string, number>();
      const onFinding = (f: IntegrityFinding): void => {
        if (json) {
          process.stdout.write(JSON.stringify({ type: 'finding', ...f }) + '\n');
          return;
        }
        const damage = f.problem !== 'notice';
        if (!damage && quiet) return;
        const kind = `${f.problem} ${f.check} ${f.code}`;
        const n = (shown.get(kind) ?? 0) + 1;
        shown.set(kind, n);
        if (n > (damage ? LINES_PER_KIND.damage : LINES_PER_KIND.notice)) return;
        clear();
        process.stdout.write(`${f.problem.padEnd(7)} ${f.message}\n`);
      };
      let profiles: SiteProfile[] = [];
      let profileProblem: string | undefined;
      if (statSync(path, { throwIfNoEntry: false })?.isDirectory() && verifyTargetOf(path) === 'archive') {
        try {
          profiles = await keptProfiles(path);
        } catch (error) {
          profileProblem = (error as Error).message;
        }
      }
      const report = await verifyPath(path, {
        rebuild: flags['rebuild'] !== false,
        profiles,
        ...(profileProblem !== undefined ? { profileProblem } : {}),
        onFinding,
        onProgress,
      });
      clear();
      if (json) process.stdout.write(JSON.stringify({ type: 'report', ...report }) + '\n');
      else {
        const limits = { damage: LINES_PER_KIND.damage, notice: LINES_PER_KIND.notice };
        for (const [kind, n] of shown) {
          const limit = kind.startsWith('notice') ? limits.notice : limits.damage;
          if (n > limit)
            process.stdout.write(`…       ${n - limit} more: ${kind} (salvage verify --json lists every one)\n`);
        }
        process.stdout.write(summaryLine(report) + '\n');
      }
      if (!report.clean) process.exitCode = EXIT_DAMAGE;
    });
}

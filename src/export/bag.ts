/**
 * `salvage export DIR --format bagit --out BAG`: a release of an archive as a BagIt 1.0 bag
 * (RFC 8493), the packaging libraries and data repositories move and verify collections in.
 *
 *     BAG/bagit.txt  bag-info.txt  manifest-sha256.txt  manifest-sha512.txt  tagmanifest-sha256.txt  tagmanifest-sha512.txt
 *     BAG/data/articles/<lo>-<hi>/article_<id>.md        the archive files (taken-down ones left out)
 *     BAG/data/media/files/<ab>/<sha256>.<ext>            the images the media index lists as stored
 *     BAG/data/media/media.sqlite                         a consistent copy of that index
 *     BAG/data/dump/articles.jsonl.gz (.manifest.json, .sha256)   `salvage export --format jsonl` of data/articles
 *     BAG/data/site-profile.yaml, BAG/data/site-profiles/<id>.yaml   the profiles the archive was made with
 *     BAG/data/<part>                                     release parts written by functions (coverage.json, the WACZ)
 *
 * `data/` is itself an archive folder (`salvage index BAG/data && salvage serve BAG/data` works);
 * the raw WARCs are not in it (they go into the WACZ). Built beside BAG in `.BAG.partial-<pid>`
 * and renamed into place at the end, so BAG is a whole bag or absent.
 */
import { existsSync, lstatSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { readTakedowns, realPathOf, within } from '../markdown/index.js';
import { MEDIA_DIR } from '../store/index.js';
import { SalvageError } from '../errors.js';
import { exportDump, salvageVersion, type DumpRecord } from './dump.js';
import { cleanSiteLeftovers, type Leftover } from './leftovers.js';
import {
  placeArticles,
  placeMedia,
  placeProfiles,
  withheldImageKeys,
  writeNew,
  SITE_PROFILES_DIR,
  type BagSite,
  type LinkCounts,
  type PlacedMedia,
} from './bag-payload.js';
import {
  BAG_DECLARATION,
  BAG_DECLARATION_FILE,
  BAG_INFO_FILE,
  PAYLOAD_DIR,
  bagSize,
  formatBagInfo,
  oneLine,
  payloadOxum,
  type BagInfoEntry,
} from './bagit.js';
import { writePayloadManifests, writeTagManifests } from './bag-manifests.js';
import { writeWacz } from './wacz.js';
import { archiveWarcs } from './wacz-index.js';
import { siteForUrl, SITE_PROFILE_FILE } from '../sites/index.js';

/**
 * A part of a release written by a function, added to the payload as `data/<path>`. The WACZ is
 * one (`releaseParts` below); the CLI adds `coverage.json` (`salvage status --json`).
 */
export interface BagPart {
  /** Where it goes under `data/`: `/`-separated names of letters, digits, `.`, `_`, `-` (`captures.wacz`). */
  path: string;
  /** What it is, for the bag's External-Description (`the captures as WACZ 1.1.1`). */
  description: string;
  /** Write the file (or a folder) at `target`, an absolute path that does not exist yet. */
  write: (target: string) => Promise<void>;
}

/**
 * The release parts other writers of this stage add to every bag, after the archive's own files:
 * the captures as a WACZ (which is how the WARCs travel in a release), when the archive has any
 * (one laid out by `salvage import` has none).
 */
export function releaseParts(archive: string): BagPart[] {
  if (archiveWarcs(archive).length === 0) return [];
  return [
    {
      path: BAG_WACZ_PATH,
      description: 'the captures as WACZ 1.1.1 (the WARCs, a CDXJ index and the article pages)',
      write: async (target) => {
        await writeWacz(archive, target);
      },
    },
  ];
}

/** Where a bag keeps the archive's captures, as a WACZ. */
export const BAG_WACZ_PATH = 'captures.wacz';

/** A part written from a value as JSON, computed when the bag is built (`jsonPart('coverage.json', …)`). */
export function jsonPart(path: string, description: string, value: () => unknown): BagPart {
  return {
    path,
    description,
    write: (target) => writeFile(target, JSON.stringify(value(), null, 2) + '\n', { flag: 'wx' }),
  };
}

export interface ExportBagOptions {
  /** The bag folder. Default `<name of DIR>-bag` in the current folder. */
  out?: string;
  /** Source-Organization: who transfers the content. Default {@link DEFAULT_BAG_OPTIONS}.organization. */
  organization?: string;
  /** External-Description. Default: drawn from what the bag holds (site, articles, dates, parts). */
  description?: string;
  /** More bag-info elements, in order (Contact-Name, Contact-Email, External-Identifier, …; RFC 8493 §2.2.2). Default none. */
  info?: readonly BagInfoEntry[];
  /** Replace BAG when it is an earlier bag (it holds `bagit.txt`); anything else is never replaced. Default false. */
  replace?: boolean;
  /** Release parts wired by the caller (the CLI's coverage report), after {@link releaseParts}. Default none. */
  parts?: readonly BagPart[];
  /** The clock of Bagging-Date. Default the system's. */
  now?: () => Date;
  onProgress?: (event: ExportBagProgress) => void;
  /** Told about each leftover of an interrupted earlier run cleaned up first. Default: none. */
  onLeftover?: (leftover: Leftover) => void;
}

export const DEFAULT_BAG_OPTIONS = {
  /** Nobody said who transfers it: said so, rather than a guess a repository would take as fact. */
  organization: 'not specified',
  replace: false,
} as const;

/** The dump in the payload: `salvage export --format jsonl` of the bag's own articles. */
export const BAG_DUMP_PATH = 'dump/articles.jsonl.gz';

/** Labels salvage writes itself; `info` may not set them (case-insensitive, as bag readers compare them). */
const COMPUTED_LABELS = [
  'Source-Organization',
  'External-Description',
  'Bagging-Date',
  'Payload-Oxum',
  'Bag-Size',
  'Bag-Software-Agent',
  'Salvage-Site',
  'Salvage-Articles',
  'Salvage-Images',
  'Salvage-Takedowns',
  'Salvage-Article-Dates',
];
/** Payload names of the archive's own parts: a release part may not take them. */
const RESERVED_PAYLOAD = new Set(['articles', MEDIA_DIR, dirname(BAG_DUMP_PATH), SITE_PROFILE_FILE, SITE_PROFILES_DIR]);
const PART_PATH = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;
/** A date a dump record may hold: a day, a month or a year (FORMAT.md). */
const RECORD_DATE = /^\d{4}(?:-\d{2}(?:-\d{2})?)?$/;

export type ExportBagProgress =
  | { phase: 'articles'; done: number }
  | { phase: 'media'; done: number }
  | { phase: 'dump'; done: number; of: number }
  | { phase: 'part'; path: string }
  | { phase: 'manifests'; files: number; bytes: number };

export interface ExportBagReport {
  out: string;
  /** Payload files and their bytes (Payload-Oxum). */
  payload: { files: number; bytes: number };
  articles: number;
  /** Articles left out because `takedowns.yaml` lists them. */
  takenDown: number;
  /** The media store's part; undefined when the archive has none. */
  media: PlacedMedia | undefined;
  dump: { path: string; articles: number; sha256: string; skipped: number };
  /** Payload paths of the profiles and of the release parts written. */
  profiles: string[];
  parts: string[];
  sites: BagSite[];
  /** Payload files hard-linked to the archive's, and copied. */
  links: LinkCounts;
  bagInfo: BagInfoEntry[];
  /** Things a person should know (images of a takedown nobody can name). */
  warnings: string[];
  leftovers: Leftover[];
  seconds: { payload: number; manifests: number; total: number };
}

/**
 * Write a BagIt bag of the archive folder `dir`. Throws SalvageError INPUT_UNREADABLE (no
 * articles), CONFIG_INVALID (a bag-info element not allowed, a bad takedowns.yaml),
 * OUTPUT_UNSAFE (BAG exists and is not to be replaced, lies inside the archive's articles/ or
 * media/, or holds the archive), OUTPUT_FAILED.
 * Example: `await exportBag('hkcnews-archive', { out: 'hkcnews-bag', organization: 'HK News Archive' })`.
 */
export async function exportBag(dir: string, options: ExportBagOptions = {}): Promise<ExportBagReport> {
  const started = Date.now();
  const archive = resolve(dir);
  if (!existsSync(join(archive, 'articles')) || !statSync(join(archive, 'articles')).isDirectory())
    throw new SalvageError(
      'INPUT_UNREADABLE',
      `${dir} has no articles/ folder; is it an archive folder (salvage archive, salvage import)?`,
      { subject: dir },
    );
  const out = resolve(options.out ?? `${basename(archive)}-bag`);
  const parts = [...releaseParts(archive), ...(options.parts ?? [])];
  checkParts(parts);
  // The elements a person gives, checked before any work: one line each, labels §2.2.2 allows.
  const given = {
    organization: oneLine(options.organization ?? DEFAULT_BAG_OPTIONS.organization),
    description: options.description === undefined ? undefined : oneLine(options.description),
    info: (options.info ?? []).map(({ label, value }) => ({ label, value: oneLine(value) })),
  };
  for (const { label } of given.info)
    if (COMPUTED_LABELS.some((c) => c.toLowerCase() === label.toLowerCase()))
      throw new SalvageError(
        'CONFIG_INVALID',
        `bag-info ${label} is written by salvage (--organization and --description set the first two)`,
        { subject: label },
      );
  formatBagInfo(given.info);
  await checkOut(archive, out);
  const takedowns = readTakedowns(archive);
  // An earlier run killed midway left its build folder, or the previous bag moved aside.
  const leftovers = cleanSiteLeftovers(dirname(out), basename(out), out);
  for (const l of leftovers) options.onLeftover?.(l);
  if (existsSync(out)) {
    if (!(options.replace ?? DEFAULT_BAG_OPTIONS.replace))
      throw new SalvageError(
        'OUTPUT_UNSAFE',
        `${out} exists; choose another --out, or --replace to replace an earlier bag`,
        {
          subject: out,
        },
      );
    if (!existsSync(join(out, BAG_DECLARATION_FILE)))
      throw new SalvageError(
        'OUTPUT_UNSAFE',
        `${out} exists and is not a bag (no ${BAG_DECLARATION_FILE}); it is never replaced`,
        {
          subject: out,
        },
      );
  }
  const version = salvageVersion();
  const bagged = (options.now ?? (() => new Date()))();
  const temp = join(dirname(out), `.${basename(out)}.partial-${process.pid}`);
  const data = join(temp, PAYLOAD_DIR);
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(data, { recursive: true });
  const progress = (e: ExportBagProgress): void => options.onProgress?.(e);
  try {
    const links: LinkCounts = { linked: 0, copied: 0 };
    const down = new Set(takedowns.map((t) => t.id));
    const articles = placeArticles(archive, data, down, links, (done) => progress({ phase: 'articles', done }));
    if (articles === 0)
      throw new SalvageError('INPUT_UNREADABLE', `${dir}/articles has no article_<id>.md files to bag`, {
        subject: dir,
      });
    const withheld = withheldImageKeys(archive, takedowns);
    const warnings = withheld.unknown.map(
      (id) =>
        `taken-down article ${id}: its file is gone and no search index recorded its images, so they could not be withheld from the bag`,
    );
    const media = await placeMedia(archive, data, withheld.keys, links, (done) => progress({ phase: 'media', done }));

    // The dump of the bag's own articles (not the archive's, which may change meanwhile): its
    // sources list is exactly data/articles.
    const siteCounts = new Map<string, number>();
    let first: string | undefined;
    let last: string | undefined;
    const onRecord = (r: DumpRecord): void => {
      // Files of the old hkcnews archive name no site: their original URL does.
      const site = r.site ?? (r.original_url === null ? undefined : siteForUrl(r.original_url)?.id);
      if (site !== undefined) siteCounts.set(site, (siteCounts.get(site) ?? 0) + 1);
      if (r.date !== null && RECORD_DATE.test(r.date)) {
        if (first === undefined || r.date < first) first = r.date;
        if (last === undefined || r.date > last) last = r.date;
      }
    };
    mkdirSync(join(data, dirname(BAG_DUMP_PATH)), { recursive: true });
    const dump = await exportDump(data, {
      format: 'jsonl',
      out: join(data, BAG_DUMP_PATH),
      takedowns,
      source: archive,
      onRecord,
      onProgress: (done, of) => progress({ phase: 'dump', done, of }),
    });
    const profiles = placeProfiles(archive, data, siteCounts, version);
    for (const part of parts) {
      progress({ phase: 'part', path: part.path });
      const target = join(data, part.path);
      mkdirSync(dirname(target), { recursive: true });
      await part.write(target);
      if (!existsSync(target)) throw new Error(`the release part ${part.path} wrote nothing at ${target}`);
    }
    const payloadSeconds = (Date.now() - started) / 1000;

    const manifestsStarted = Date.now();
    const payload = await writePayloadManifests(temp, (files, bytes) => progress({ phase: 'manifests', files, bytes }));
    const description =
      given.description ??
      describe({ sites: profiles.sites, articles, first, last, media, profiles: profiles.paths, parts });
    const bagInfo: BagInfoEntry[] = [
      { label: 'Source-Organization', value: given.organization },
      ...given.info,
      { label: 'External-Description', value: description },
      { label: 'Bagging-Date', value: bagged.toISOString().slice(0, 10) },
      { label: 'Payload-Oxum', value: payloadOxum(payload.bytes, payload.files) },
      { label: 'Bag-Size', value: bagSize(payload.bytes) },
      { label: 'Bag-Software-Agent', value: `salvage ${version}` },
      // Custom labels (§2.2.2 allows any): what a repository's curator asks first.
      { label: 'Salvage-Site', value: profiles.sites.map((s) => s.id).join(', ') || 'unknown' },
      { label: 'Salvage-Articles', value: String(articles) },
      { label: 'Salvage-Images', value: String(media?.files ?? 0) },
      { label: 'Salvage-Takedowns', value: String(takedowns.length) },
      ...(first !== undefined && last !== undefined
        ? [{ label: 'Salvage-Article-Dates', value: `${first}/${last}` }]
        : []),
    ];
    writeNew(join(temp, BAG_DECLARATION_FILE), BAG_DECLARATION);
    writeNew(join(temp, BAG_INFO_FILE), formatBagInfo(bagInfo));
    await writeTagManifests(temp);
    const manifestSeconds = (Date.now() - manifestsStarted) / 1000;

    // Swap in: the old bag (if any) moves aside, the new one takes its name, the old one goes.
    const old = join(dirname(out), `.${basename(out)}.old-${process.pid}`);
    if (existsSync(out)) renameSync(out, old);
    renameSync(temp, out);
    rmSync(old, { recursive: true, force: true });
    return {
      out,
      payload,
      articles,
      takenDown: takedowns.length,
      media,
      dump: {
        path: `${PAYLOAD_DIR}/${BAG_DUMP_PATH}`,
        articles: dump.articles,
        sha256: dump.sha256,
        skipped: dump.skipped.length,
      },
      profiles: profiles.paths.map((p) => `${PAYLOAD_DIR}/${p}`),
      parts: parts.map((p) => `${PAYLOAD_DIR}/${p.path}`),
      sites: profiles.sites,
      links,
      bagInfo,
      warnings,
      leftovers,
      seconds: { payload: payloadSeconds, manifests: manifestSeconds, total: (Date.now() - started) / 1000 },
    };
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
}

/** Part paths: safe names, none twice, none of the archive's own. */
function checkParts(parts: readonly BagPart[]): void {
  const seen = new Set<string>();
  for (const { path } of parts) {
    const top = path.split('/')[0]!;
    // Parts are wired by code, not typed by a user: a bad path is a bug.
    if (!PART_PATH.test(path) || RESERVED_PAYLOAD.has(top) || seen.has(top))
      throw new Error(`release part path ${JSON.stringify(path)} is not a free name under data/`);
    seen.add(top);
  }
}

/**
 * Refuse a BAG that would land in what it copies or swallow the archive: inside the archive's
 * articles/ or media/ (the walk would meet it), the archive itself or one of its parents (a
 * replace would remove the archive), or a symlink (a replace would act on what it points to).
 */
async function checkOut(archive: string, out: string): Promise<void> {
  const [src, dest] = await Promise.all([realPathOf(archive), realPathOf(out)]);
  const refuse = (why: string): never => {
    throw new SalvageError('OUTPUT_UNSAFE', `--out ${out} ${why}; choose a bag folder outside the archive`, {
      subject: out,
    });
  };
  if (within(src, dest)) refuse(`holds the archive ${archive}`);
  if (within(dest, join(src, 'articles')) || within(dest, join(src, MEDIA_DIR)))
    refuse(`is inside the archive's files`);
  if (existsSync(out) && (lstatSync(out).isSymbolicLink() || !lstatSync(out).isDirectory()))
    refuse('is a file or a symlink, not a bag folder');
}

/** The default External-Description: what a curator reads to know what the bag is. */
function describe(c: {
  sites: readonly BagSite[];
  articles: number;
  first: string | undefined;
  last: string | undefined;
  media: PlacedMedia | undefined;
  profiles: readonly string[];
  parts: readonly BagPart[];
}): string {
  const named = c.sites.map((s) => (s.name ? `${s.name} (${s.host ?? s.id})` : s.id)).join(', ') || 'a news site';
  const dates = c.first !== undefined && c.last !== undefined ? `, dated ${c.first} to ${c.last}` : '';
  const holds = [
    `the articles as Markdown files with YAML frontmatter (${PAYLOAD_DIR}/articles)`,
    ...(c.media !== undefined ? [`${c.media.files} of their images with an index (${PAYLOAD_DIR}/${MEDIA_DIR})`] : []),
    `a JSON-lines dump with a SHA-256 manifest (${PAYLOAD_DIR}/${BAG_DUMP_PATH})`,
    ...(c.profiles.length > 0 ? [`the site profile (${c.profiles.map((p) => `${PAYLOAD_DIR}/${p}`).join(', ')})`] : []),
    ...c.parts.map((p) => `${p.description} (${PAYLOAD_DIR}/${p.path})`),
  ];
  return `${named}: ${c.articles} articles rescued from the Internet Archive's Wayback Machine by salvage${dates}. Holds ${holds.join('; ')}.`;
}

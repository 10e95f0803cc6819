/** The options, progress and report of `salvage verify`, shared by the checks of every kind of target. */
import type { SiteProfile } from '../extract/index.js';
import type { ArticleCheckSummary } from '../crawl/index.js';
import type { BagCheckSummary, DumpCheckSummary, WaczCheckSummary } from '../export/index.js';
import type { IntegrityFinding, MediaCheckSummary, WarcFolderSummary } from '../store/index.js';

/** What PATH is: an archive folder, a BagIt bag, a data dump, a WACZ, or a single WARC (or ARC) file. */
export type VerifyTarget = 'archive' | 'bag' | 'dump' | 'wacz' | 'warc';

export interface VerifyOptions {
  /**
   * Rebuild every article file from its capture and compare the bytes (the slow part: about
   * 80% of the time). Default true; false holds each file to the SHA-256 recorded when it was
   * written, and its capture record to its WARC digests, without extracting.
   */
  rebuild?: boolean;
  /** Site profiles kept beside the archive (`site-profile.yaml`), for the articles of a profile-made archive. Default none. */
  profiles?: readonly SiteProfile[];
  /** Why `site-profile.yaml` could not be read, when it could not: said as a finding. */
  profileProblem?: string;
  /** Told of each finding as it is found (they are not all kept: a damaged archive can have millions). */
  onFinding?: (finding: IntegrityFinding) => void;
  /** Told as each phase goes on. */
  onProgress?: (progress: VerifyProgress) => void;
}

export const DEFAULT_VERIFY_OPTIONS = { rebuild: true } as const satisfies VerifyOptions;

/** Where a long check is: its phase, and how far (`of` when the total is known). */
export interface VerifyProgress {
  phase: 'warc' | 'media-warc' | 'articles' | 'media' | 'bag' | 'dump' | 'wacz';
  done: number;
  of?: number;
  unit: 'bytes' | 'articles' | 'files' | 'resources';
}

/** Findings counted by what is wrong. */
export interface FindingCounts {
  missing: number;
  altered: number;
  extra: number;
  notice: number;
}

/** What `salvage verify` found and checked. */
export interface VerifyReport {
  /** PATH as given. */
  path: string;
  target: VerifyTarget;
  /** No damage: nothing missing, altered or extra (notices allowed). */
  clean: boolean;
  findings: FindingCounts;
  /** What each check covered (present for the checks the target has). */
  checked: {
    warc?: WarcFolderSummary;
    mediaWarc?: WarcFolderSummary;
    articles?: ArticleCheckSummary;
    media?: MediaCheckSummary;
    databases?: { name: string; ok: boolean }[];
    coverage?: 'agrees' | 'stale' | 'unreadable' | 'absent';
    dump?: DumpCheckSummary;
    bag?: BagCheckSummary;
    wacz?: WaczCheckSummary;
  };
  seconds: number;
  /** Seconds each phase of an archive folder's check took (warc, media-warc, articles, media). */
  phaseSeconds?: Partial<Record<VerifyProgress['phase'], number>>;
}

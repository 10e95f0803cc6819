/**
 * The bundled demo site (demo/site) rescued through the local Wayback simulator: the setup of the
 * tests that need a real rescued archive (its WARCs, crawl state, articles and images) to read,
 * export or damage. Either in this process through the crawl library (`rescueDemo`), or through
 * the real `salvage archive` (`archiveDemo`), which also writes coverage.json as a user gets it.
 * The simulator stops once the rescue is done, whatever became of it.
 */
import { resolve } from 'node:path';
import { rescue, rescueMedia, type MediaSummary, type RescueSummary } from '../../src/crawl/index.js';
import { startWaybackSimulator } from '../../src/devtools/wayback-sim/index.js';
import { hkcnews } from '../../src/sites/index.js';
import { Politeness, WaybackClient } from '../../src/wayback/index.js';
import { runCli, type CliRun } from './run-cli.js';

const DEMO_SITE = resolve(import.meta.dirname, '../../demo/site');
/**
 * The simulator's limits and salvage's rates and waits scaled alike: the demo's 40 articles and
 * their images in seconds, not minutes (the browser tests use 500 to spend less of their time).
 */
export const DEMO_TIME_SCALE = 50;

export interface RescueDemoOptions {
  /** Rescue the images the articles show too, after the pages, through the same client. Default: false. */
  media?: boolean;
  /** Divide every wait and multiply every rate by this, in the simulator and in salvage alike. Default: DEMO_TIME_SCALE. */
  timeScale?: number;
}

/** What became of an in-process rescue of the demo site; `media` only when asked for. */
export interface DemoRescue {
  pages: RescueSummary;
  media?: MediaSummary;
}

/** Starts the simulator on the demo site, runs `work` against its URL, and stops it. */
async function withDemoSimulator<T>(timeScale: number, work: (url: string) => Promise<T>): Promise<T> {
  const sim = await startWaybackSimulator({ siteDir: DEMO_SITE, timeScale });
  try {
    return await work(sim.url);
  } finally {
    await sim.close();
  }
}

/**
 * Rescues the demo site into `dir` in this process (`rescue`, then `rescueMedia` when `media`)
 * and returns their summaries; the caller asserts what it relies on (usually `stop: 'complete'`).
 */
export async function rescueDemo(dir: string, options: RescueDemoOptions = {}): Promise<DemoRescue> {
  const timeScale = options.timeScale ?? DEMO_TIME_SCALE;
  return withDemoSimulator(timeScale, async (baseUrl) => {
    const client = new WaybackClient({
      baseUrl,
      politeness: new Politeness({ timeScale }),
      timeoutMs: 60_000 / timeScale,
    });
    try {
      const pages = await rescue({ site: hkcnews, outDir: dir, client });
      if (options.media !== true) return { pages };
      return { pages, media: await rescueMedia({ archiveDir: dir, client }) };
    } finally {
      await client.close();
    }
  });
}

/**
 * Rescues the demo site into `dir` with the real `salvage archive hkcnews --quiet` (pages, images
 * and coverage.json), in a child process (runCli: the simulator lives here and must keep
 * answering), and returns that run.
 */
export async function archiveDemo(dir: string, options: Pick<RescueDemoOptions, 'timeScale'> = {}): Promise<CliRun> {
  const timeScale = options.timeScale ?? DEMO_TIME_SCALE;
  return withDemoSimulator(timeScale, (url) =>
    runCli(['archive', 'hkcnews', '--out', dir, '--wayback', url, '--time-scale', String(timeScale), '--quiet']),
  );
}

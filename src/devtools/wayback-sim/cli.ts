#!/usr/bin/env node
/**
 * Runs the Wayback simulator until SIGINT/SIGTERM and prints its URL on stdout; on exit the
 * stats go to stderr as JSON.
 *
 *   node dist/devtools/wayback-sim/cli.js --site DIR [--port N] [--scale K] [--faults none|default|storm] [--seed S]
 *   node --import tsx src/devtools/wayback-sim/cli.ts --site /tmp/sim-site --scale 60 --faults storm
 */
import { parseArgs } from 'node:util';
import { isSalvageError } from '../../errors.js';
import { startWaybackSimulator } from './server.js';
import {
  DEFAULT_SIMULATOR_OPTIONS,
  type BlockMode,
  type FaultProfile,
  type SimulatorOptions,
  type UrlFault,
} from './options.js';

const USAGE = `usage: wayback-sim --site DIR [--host H] [--port N] [--scale K] [--faults none|default|storm] [--seed S] [--block-mode refuse|reset] [--url-fault TEXT=reset|hang|huge|excluded|blocked|not-archived|wrong-encoding|closest]…
--url-fault (repeatable): every request whose path contains TEXT is reset, left hanging, or answered with a body without end
defaults: host ${DEFAULT_SIMULATOR_OPTIONS.host}, port ${DEFAULT_SIMULATOR_OPTIONS.port} (ephemeral), scale ${DEFAULT_SIMULATOR_OPTIONS.timeScale}, faults ${DEFAULT_SIMULATOR_OPTIONS.faults}, seed ${DEFAULT_SIMULATOR_OPTIONS.seed}, block-mode ${DEFAULT_SIMULATOR_OPTIONS.blockMode}`;
/** Exit status for bad usage (as the salvage CLI uses). */
const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        site: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        scale: { type: 'string' },
        faults: { type: 'string' },
        seed: { type: 'string' },
        'block-mode': { type: 'string' },
        'url-fault': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  if (values.site === undefined) {
    console.error(`--site is required\n${USAGE}`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  const options: SimulatorOptions = { siteDir: values.site };
  if (values.host !== undefined) options.host = values.host;
  if (values.port !== undefined) options.port = Number(values.port);
  if (values.scale !== undefined) options.timeScale = Number(values.scale);
  if (values.faults !== undefined) options.faults = values.faults as FaultProfile;
  if (values.seed !== undefined) options.seed = values.seed;
  if (values['block-mode'] !== undefined) options.blockMode = values['block-mode'] as BlockMode;
  if (values['url-fault'] !== undefined) {
    options.urlFaults = values['url-fault'].map((spec) => {
      const at = spec.lastIndexOf('=');
      return { contains: spec.slice(0, Math.max(at, 0)), fault: spec.slice(at + 1) as UrlFault['fault'] };
    });
  }

  let simulator;
  try {
    simulator = await startWaybackSimulator(options);
  } catch (error) {
    if (!isSalvageError(error)) throw error;
    console.error(`${error.code}: ${error.message}`);
    process.exitCode = EXIT_FAILURE;
    return;
  }
  console.log(simulator.url);
  const stop = (): void => {
    void simulator.close().then(() => {
      // captureFetches holds one entry per capture (78k in a full rehearsal): summarised here.
      const { captureFetches, ...stats } = simulator.stats();
      console.error(JSON.stringify({ ...stats, capturesFetched: Object.keys(captureFetches).length }));
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();

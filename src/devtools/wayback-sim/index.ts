/** A local Wayback Machine (CDX, replay, rate limits, blocks, seeded faults) over a hkcnews-site directory. */
export { startWaybackSimulator, type WaybackSimulator } from './server.js';
export {
  DEFAULT_LIMITS,
  DEFAULT_SIMULATOR_OPTIONS,
  FAULT_PROFILES,
  resolveSimulatorOptions,
  type BlockMode,
  type FaultProfile,
  type FaultRates,
  type SimulatorLimits,
  type SimulatorOptions,
  type UrlFault,
} from './options.js';
export type { SimStats, RequestFamily } from './stats.js';
export { FAULT_TYPES, MAX_FAULTS_IN_A_ROW, type FaultType } from './faults.js';
export { surt, surtHost, type SurtOptions } from './surt.js';
export { writeSimSite, waybackDigest, type SimCaptureInput } from './site-writer.js';

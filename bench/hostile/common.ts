/**
 * The shapes shared by the hostile-input bench (`bench/hostile.bench.ts`) and its child processes
 * (`bench/hostile/child.ts`): a surface is a list of named inputs; each input is prepared (untimed:
 * generating a 3 GiB gzip bomb is not the work measured) and then run (timed, peak RSS measured).
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** `ok`: handled (read, rejected with a message, or skipped); `crash`: an exception that is not a SalvageError, a child death or a timeout; `wrong`: ran, but broke a promise of issue 12 (e.g. intact records not read, unsafe link written). */
export type Verdict = 'ok' | 'crash' | 'wrong';

/** A bound checked by the parent: `value` must be ≤ `limit`. */
export interface Metric {
  value: number;
  limit: number;
  unit: 'ms' | 'MB';
}

export interface Outcome {
  verdict: Verdict;
  /** What happened, one line (shown for crashes and wrong outcomes). */
  detail?: string;
  /** Peak RSS of another process that did the work (a server), replacing this process's. */
  rssMb?: number;
  /** Extra bounds of the acceptance, e.g. the latency of a cheap request sent during a heavy one. */
  metrics?: Record<string, Metric>;
}

export interface Runner {
  /** The measured work. Return nothing for `ok`; a thrown SalvageError is `ok` (refused with a message). */
  run(): Promise<Outcome | void> | Outcome | void;
  cleanup?(): void;
}

export interface HostileInput {
  name: string;
  /** Run in a child process of its own, so that its peak RSS is its own (huge inputs). */
  alone?: boolean;
  /** Bounds of the acceptance for this input, tighter than the general ones. */
  bound?: { ms?: number; rssMb?: number };
  /** Untimed: build the input (files, strings) and return the timed part. */
  prepare(): Promise<Runner> | Runner;
}

export interface Env {
  quick: boolean;
  /** A temporary folder of this child process (deleted when it ends). */
  work: string;
}

export interface Surface {
  name: string;
  /** What is fed to which entry point (printed in the report). */
  entry: string;
  /** The inputs, in a fixed order (the parent lists them; a child runs a range of them). */
  inputs(env: Env): HostileInput[];
  /** Called once when a child process is done with its inputs (stop servers, close handles). */
  close?(): Promise<void> | void;
}

/** Messages from a child process to the bench. */
export type ChildMessage =
  | { type: 'start'; index: number; pid: number }
  | { type: 'done'; index: number; ms: number; rssMb: number; outcome: Outcome };

export { below, pick, prng, randomBytes } from '../shared.js';

/** Han characters common in news text (the index folds and tokenizes them). */
export const HAN =
  '的一是不了人我在有他這中大來上國個到說們為子和你地出道也時年得就那要下以生會自著去之過家學對可她裡後小麼心多天而能好都然沒日於起還發成事只作當想看文無開手十用主行方又如前所本見經頭面公同三已老從動兩長知民樣現分將外但身些與高意進把法此實回二理美點月明其種聲全工己話兒者向情部正名定女問力機給等幾很業最間新什打便位因重被走電四第門相次東政海口使教西再平真聽世氣信北少關並內加化由卻代軍產入先山五太水萬市眼體別處總才場師書比住員九笑性通目華報立馬命張活難神數件安表原車白應路期叫死常提感金何更反合放做系計或司利受光王果親界及今京務制解各任至清物台象記邊共風戰干接它許八特覺望直服毛林題建南度統色字請交愛讓認算論百吃義科怎元社術結六功指思非流每青管夫連遠資隊跟帶花快條院變聯言權往展該領傳近留紅治決周保達辦運武半候七必城父強步完革深區即求品士轉量空甚眾技輕程告江語英基派滿式李息寫呢識極令黃德收臉錢黨倒未持取設始版雙歷越史商千片容研像找友孩站廣改議形委早房音火際則首單據導影失拿網香似斯專石若兵弟誰校讀志飛觀爭究包組造落視濟喜離虽坐集編宣';

/** Read this process's peak RSS since the last {@link resetPeakRss} (VmHWM, Linux), in MB. */
export function peakRssMb(pid: number | 'self' = 'self'): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux, or the process is gone
  }
  return pid === 'self' ? process.memoryUsage().rss / 2 ** 20 : NaN;
}

/** Reset the peak RSS counter (VmHWM) to the current RSS: writing 5 to clear_refs (Linux ≥ 4.0). */
export function resetPeakRss(pid: number | 'self' = 'self'): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // not Linux: the peak is then the process's lifetime peak (an upper bound)
  }
}

/** Current RSS in MB (for the parent's runaway guard). */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // gone
  }
  return 0;
}

/** First line of an error, shortened for the report. */
export function describe(error: unknown): string {
  const e = error as Error;
  const text = `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`.split('\n')[0] ?? '';
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/** How the CLI talks: results on stdout, everything else on stderr; progress only on a TTY. */

export interface ProgressCounts {
  pages: number;
  written: number;
  rejected: number;
  failed: number;
}

export interface Reporter {
  stdout(line: string): void;
  warn(line: string): void;
  /** `--explain` output: asked for, so printed even with --quiet. */
  explain(text: string): void;
  progress(counts: ProgressCounts): void;
  done(): void;
}

/** Plain log lines every this many pages when stderr is not a terminal. */
const LOG_EVERY_PAGES = 5000;
/** Redraw interval of the TTY progress line. */
const REDRAW_MS = 200;

export function createReporter({ quiet = false }: { quiet?: boolean } = {}): Reporter {
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  let lastDraw = 0;
  let drawn = false;
  const line = (c: ProgressCounts): string => {
    const seconds = (Date.now() - started) / 1000;
    return `${c.pages} pages · ${c.written} written · ${c.rejected} rejected · ${c.failed} failed · ${(c.pages / Math.max(seconds, 0.001)).toFixed(0)} pages/s`;
  };
  const clear = (): void => {
    if (drawn) {
      process.stderr.write('\r\x1b[K');
      drawn = false;
    }
  };
  return {
    stdout: (text) => {
      clear();
      process.stdout.write(text + '\n');
    },
    warn: (text) => {
      if (!quiet) {
        clear();
        process.stderr.write(text + '\n');
      }
    },
    explain: (text) => {
      clear();
      process.stderr.write(text + '\n');
    },
    progress: (c) => {
      if (quiet) return;
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < REDRAW_MS) return;
        lastDraw = now;
        process.stderr.write('\r\x1b[K' + line(c));
        drawn = true;
      } else if (c.pages % LOG_EVERY_PAGES === 0) process.stderr.write(line(c) + '\n');
    },
    done: clear,
  };
}

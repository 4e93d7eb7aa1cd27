import { SingleBar } from 'cli-progress';
import type { Logger } from './logger';
import { STREAMS, type StreamName } from './streams/registry';

/**
 * Counters an extract reports: records per stream label (`contacts`, `conversations`), children
 * per label (`parts`), and `requests` and `rateLimited`, read from a live source.
 */
export type ProgressCounts = Record<string, number> & { requests: number; rateLimited: number };

/** Where progress goes: a redrawn line on a terminal, else a log line every `LOG_EVERY_MS`. */
export interface ProgressOptions {
  log: Logger;
  /** Reads the live request counters (the API client's stats). */
  readRequests: () => { requests: number; rateLimited: number };
  /** Draw a terminal bar; default: when stderr is a TTY. */
  tty?: boolean;
  /** Milliseconds between log lines when not on a terminal. */
  logEveryMs?: number;
}

const LOG_EVERY_MS = 15_000;
const REDRAW_MS = 500;

/** What a {@link ProgressTicker} shows: the bar's value, total and fields, read at each redraw. */
interface Frame {
  value: number;
  total: number;
  payload: Record<string, string | number>;
}

/**
 * The display both progress kinds share: a cli-progress bar redrawn every `REDRAW_MS` on a
 * terminal (it handles redraws and terminal width), else `logLine` every `logEveryMs`, so
 * CloudWatch gets one line every 15 s, not a bar.
 */
class ProgressTicker {
  private timer: NodeJS.Timeout | undefined;
  private bar: SingleBar | undefined;

  constructor(
    private readonly options: {
      tty: boolean | undefined;
      logEveryMs: number | undefined;
      /** cli-progress format of the bar. */
      format: string;
      frame: () => Frame;
      logLine: () => void;
    },
  ) {}

  start(): void {
    if (this.options.tty ?? Boolean(process.stderr.isTTY)) {
      this.bar = new SingleBar({
        format: this.options.format,
        hideCursor: true,
        stream: process.stderr,
        fps: 1000 / REDRAW_MS,
        etaBuffer: 50,
      });
      const { value, total, payload } = this.options.frame();
      this.bar.start(total, value, payload);
      this.timer = setInterval(() => this.draw(), REDRAW_MS);
    } else {
      this.timer = setInterval(this.options.logLine, this.options.logEveryMs ?? LOG_EVERY_MS);
    }
    this.timer.unref();
  }

  /** Stop the timer; a bar is drawn once more with the final figures, then left on screen. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.bar) {
      this.draw();
      this.bar.stop();
      this.bar = undefined;
    }
  }

  private draw(): void {
    const { value, total, payload } = this.options.frame();
    this.bar?.setTotal(total);
    this.bar?.update(value, payload);
  }
}

/**
 * The stream an extract's bar and ETA follow: the first with a request per record (its detail),
 * which takes most of the run's time; else the first stream.
 */
const PACED = STREAMS.find((stream) => stream.detail !== undefined) ?? STREAMS[0];
/** Labels of the figures shown beside the bar: the other streams' records, then every stream's children. */
const BESIDE_BAR = [
  ...STREAMS.filter((stream) => stream !== PACED).map((stream) => stream.label),
  ...STREAMS.flatMap((stream) => (stream.children ? [stream.children.label] : [])),
];

/**
 * The bar's placeholder for a label: cli-progress fills only `{word}` placeholders, so a label of
 * several words (`data attributes`) gets underscores (`{data_attributes}`).
 */
function token(label: string): string {
  return label.replace(/\W/g, '_');
}

/**
 * Progress of an extract: records per stream, children, request rate, 429s and, once the number
 * of records of the slowest stream is known, an ETA. Uses cli-progress on a terminal (it handles
 * redraws and terminal width) and plain structured log lines otherwise, so CloudWatch gets one
 * line every 15 s, not a bar.
 */
export class ExtractProgress {
  readonly counts: ProgressCounts = {
    ...Object.fromEntries(STREAMS.map((stream) => [stream.label, 0])),
    ...Object.fromEntries(BESIDE_BAR.map((label) => [label, 0])),
    requests: 0,
    rateLimited: 0,
  };
  /** Records per stream label the run expects (the last published run's), once known. */
  readonly totals: Record<string, number | undefined> = {};
  private readonly startedAt = Date.now();
  private readonly ticker: ProgressTicker;

  constructor(private readonly options: ProgressOptions) {
    this.ticker = new ProgressTicker({
      tty: options.tty,
      logEveryMs: options.logEveryMs,
      format: `${PACED.label} {bar} {value}/{total} | ${BESIDE_BAR.map((label) => `${label} {${token(label)}}`).join(' | ')} | {rate} req/s | 429s {rl} | ETA {etaText}`,
      frame: () => {
        this.refresh();
        const done = this.counts[PACED.label] ?? 0;
        return {
          value: done,
          total: Math.max(this.totals[PACED.label] ?? 0, done),
          payload: this.payload(),
        };
      },
      logLine: () => this.logLine('extract progress'),
    });
  }

  /** Start drawing or logging. */
  start(): void {
    this.ticker.start();
  }

  /** Stop drawing or logging (a bar is drawn once more with the final counts). */
  stop(): void {
    this.ticker.stop();
  }

  private refresh(): void {
    const live = this.options.readRequests();
    this.counts.requests = live.requests;
    this.counts.rateLimited = live.rateLimited;
  }

  private rate(): number {
    const seconds = (Date.now() - this.startedAt) / 1000;
    return seconds > 0 ? this.counts.requests / seconds : 0;
  }

  private etaSeconds(): number | undefined {
    const total = this.totals[PACED.label];
    const done = this.counts[PACED.label] ?? 0;
    if (!total || done === 0) return undefined;
    const elapsed = (Date.now() - this.startedAt) / 1000;
    return Math.max(0, ((total - done) * elapsed) / done);
  }

  private payload(): Record<string, string | number> {
    const eta = this.etaSeconds();
    return {
      ...Object.fromEntries(BESIDE_BAR.map((label) => [token(label), this.counts[label] ?? 0])),
      rate: this.rate().toFixed(0),
      rl: this.counts.rateLimited,
      etaText: eta === undefined ? '?' : formatDuration(eta),
    };
  }

  private logLine(message: string): void {
    this.refresh();
    const eta = this.etaSeconds();
    this.options.log.info(
      {
        ...this.counts,
        ...Object.fromEntries(Object.entries(this.totals).map(([label, total]) => [`${label}Total`, total])),
        requestsPerSecond: Number(this.rate().toFixed(1)),
        etaSeconds: eta === undefined ? undefined : Math.round(eta),
      },
      message,
    );
  }
}

/** `3725` -> `1h02m05s`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${String(sec).padStart(2, '0')}s`;
  if (m > 0) return `${m}m${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

/** Options of {@link LoadProgress}. */
export interface LoadProgressOptions {
  log: Logger;
  /** Records and bytes of each stream's lake file, from the run manifest. */
  totals: Record<StreamName, { count: number; bytes: number }>;
  /** Draw a terminal bar; default: when stderr is a TTY. */
  tty?: boolean;
  /** Milliseconds between log lines when not on a terminal. */
  logEveryMs?: number;
}

/**
 * Progress of a load: records read per stream against the manifest's counts, records per second,
 * and an ETA. Progress is weighed in bytes (each stream's records at its file's average record
 * size), so the fast small contacts do not make the ETA of the larger conversations look short.
 * A cli-progress bar on a terminal, a log line every 15 s otherwise; both list every stream, the
 * bar by its label (`contacts 5/200`), the log line by its name (`users`, `usersTotal`).
 */
export class LoadProgress {
  readonly records = Object.fromEntries(STREAMS.map((stream) => [stream.name, 0])) as Record<
    StreamName,
    number
  >;
  private readonly startedAt = Date.now();
  private readonly totalBytes: number;
  private readonly ticker: ProgressTicker;

  constructor(private readonly options: LoadProgressOptions) {
    this.totalBytes = STREAMS.reduce((sum, stream) => sum + options.totals[stream.name].bytes, 0);
    this.ticker = new ProgressTicker({
      tty: options.tty,
      logEveryMs: options.logEveryMs,
      format: `load {bar} {percentage}% | ${STREAMS.map((s) => `${s.label} {${s.name}}/{${s.name}Total}`).join(' | ')} | {rate} records/s | ETA {etaText}`,
      frame: () => ({
        value: this.doneBytes(),
        total: Math.max(1, this.totalBytes),
        payload: this.payload(),
      }),
      logLine: () => this.logLine(),
    });
  }

  /** Start drawing or logging. */
  start(): void {
    this.ticker.start();
  }

  /** Stop drawing or logging (a bar is drawn once more with the final counts). */
  stop(): void {
    this.ticker.stop();
  }

  /** About how many bytes of the lake files the records read so far take. */
  private doneBytes(): number {
    let done = 0;
    for (const { name } of STREAMS) {
      const { count, bytes } = this.options.totals[name];
      if (count > 0) done += Math.min(this.records[name], count) * (bytes / count);
    }
    return done;
  }

  private etaSeconds(): number | undefined {
    const done = this.doneBytes();
    if (done <= 0) return undefined;
    const elapsed = (Date.now() - this.startedAt) / 1000;
    return Math.max(0, ((this.totalBytes - done) * elapsed) / done);
  }

  private rate(): number {
    const seconds = (Date.now() - this.startedAt) / 1000;
    const records = STREAMS.reduce((sum, stream) => sum + this.records[stream.name], 0);
    return seconds > 0 ? records / seconds : 0;
  }

  /** `{ users: 5, usersTotal: 200, … }`: every stream's records read and its manifest count. */
  private perStream(): Record<string, number> {
    return Object.fromEntries(
      STREAMS.flatMap(({ name }) => [
        [name, this.records[name]],
        [`${name}Total`, this.options.totals[name].count],
      ]),
    );
  }

  private payload(): Record<string, string | number> {
    const eta = this.etaSeconds();
    return {
      ...this.perStream(),
      rate: this.rate().toFixed(0),
      etaText: eta === undefined ? '?' : formatDuration(eta),
    };
  }

  private logLine(): void {
    const eta = this.etaSeconds();
    this.options.log.info(
      {
        ...this.perStream(),
        percent: this.totalBytes > 0 ? Math.floor((100 * this.doneBytes()) / this.totalBytes) : 100,
        recordsPerSecond: Math.round(this.rate()),
        etaSeconds: eta === undefined ? undefined : Math.round(eta),
      },
      'load progress',
    );
  }
}

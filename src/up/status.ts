// The terminal side of `kubelite up`: one short, coloured line per thing worth knowing (a component
// up or down with its pid, a restart, a node's readiness), never the components' own logs.
import type { ComponentEvent } from './component.js';
import { type NodeReadiness, staleHeartbeat } from './node-watch.js';

export type Tone = 'ok' | 'bad' | 'warn' | 'info' | 'dim';

export interface StatusReporter {
  component(event: ComponentEvent): void;
  node(readiness: NodeReadiness): void;
  /** A free-form line (headers, the final summary). */
  say(text: string, tone?: Tone): void;
}

const codes: Record<Tone, string> = { ok: '32', bad: '31', warn: '33', info: '36', dim: '2' };
const marks: Record<Tone, string> = { ok: '✓', bad: '✗', warn: '!', info: '•', dim: '■' };

export interface TerminalReporterOptions {
  write(text: string): void;
  color: boolean;
  now?: () => Date;
}

/** Colour when writing to a terminal, unless NO_COLOR is set; FORCE_COLOR forces it. */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

/** The words for one component event: [tone, text]. */
export function describeComponentEvent(event: ComponentEvent): [Tone, string] {
  const name = event.name.padEnd(20);
  switch (event.type) {
    case 'started':
      return [
        'ok',
        `${name} up     pid ${event.pid}${event.restarts > 0 ? `  (restart ${event.restarts})` : ''}`,
      ];
    case 'exited': {
      const how = event.signal ? `signal ${event.signal}` : `code ${event.code}`;
      const why = event.lastError ? `: ${event.lastError}` : '';
      return ['bad', `${name} down   pid ${event.pid} exited (${how}) after ${seconds(event.ranMs)}${why}`];
    }
    case 'restarting':
      return ['warn', `${name} restart ${event.restarts} in ${seconds(event.delayMs)}`];
    case 'stopped':
      return [
        'dim',
        `${name} stopped${event.killed ? ' (SIGKILL after the stop timeout)' : ''} in ${seconds(event.tookMs)}`,
      ];
  }
}

export function describeNode(readiness: NodeReadiness): [Tone, string] {
  const name = `node ${readiness.name}`.padEnd(20);
  switch (readiness.ready) {
    case 'True':
      return ['ok', `${name} Ready`];
    case 'Missing':
      return ['bad', `${name} not registered (deleted?)`];
    case 'Unknown':
      if (readiness.reason === staleHeartbeat)
        return ['info', `${name} waiting for its kubelet (${staleHeartbeat})`];
      return ['warn', `${name} NotReady (Unknown${readiness.reason ? `: ${readiness.reason}` : ''})`];
    default:
      return ['warn', `${name} NotReady${readiness.reason ? ` (${readiness.reason})` : ''}`];
  }
}

export function createTerminalReporter(options: TerminalReporterOptions): StatusReporter {
  const now = options.now ?? (() => new Date());
  const paint = (tone: Tone, text: string) => (options.color ? `\x1b[${codes[tone]}m${text}\x1b[0m` : text);
  const stamp = () => paint('dim', now().toTimeString().slice(0, 8));
  const line = ([tone, text]: [Tone, string]) =>
    options.write(`${stamp()} ${paint(tone, marks[tone])} ${text}\n`);
  return {
    component: (event) => line(describeComponentEvent(event)),
    node: (readiness) => line(describeNode(readiness)),
    say: (text, tone) => options.write(`${tone ? paint(tone, text) : text}\n`),
  };
}

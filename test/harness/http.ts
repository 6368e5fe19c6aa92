// A tiny undici client for black-box apiserver tests: JSON in, JSON (or text) out, never throws on
// HTTP errors, and a watch reader that yields decoded events line by line.
import { request } from 'undici';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export async function http(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResponse> {
  let payload: string | Buffer | undefined;
  const sendHeaders: Record<string, string> = { ...headers };
  if (body !== undefined) {
    payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    if (!Object.keys(sendHeaders).some((h) => h.toLowerCase() === 'content-type')) {
      sendHeaders['content-type'] = 'application/json';
    }
  }
  const res = await request(baseUrl + path, { method: method as 'GET', body: payload, headers: sendHeaders });
  const text = await res.body.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

export interface WatchStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The next event, or undefined when the stream ended; rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<{ type: string; object: any } | undefined>;
  /** Collects `count` events. */
  take(count: number, timeoutMs?: number): Promise<Array<{ type: string; object: any }>>;
  close(): void;
}

export async function watch(
  baseUrl: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<WatchStream> {
  const abort = new AbortController();
  const res = await request(baseUrl + path, { method: 'GET', headers, signal: abort.signal, bodyTimeout: 0 });
  const queue: Array<{ type: string; object: any } | undefined> = [];
  const waiters: Array<(e: { type: string; object: any } | undefined) => void> = [];
  let buffer = '';
  const push = (e: { type: string; object: any } | undefined) => {
    const waiter = waiters.shift();
    if (waiter) waiter(e);
    else queue.push(e);
  };
  res.body.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim()) push(JSON.parse(line));
      nl = buffer.indexOf('\n');
    }
  });
  res.body.on('end', () => push(undefined));
  res.body.on('error', () => push(undefined));
  const stream: WatchStream = {
    status: res.statusCode,
    headers: res.headers,
    next(timeoutMs = 5000) {
      if (queue.length > 0) return Promise.resolve(queue.shift());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = waiters.indexOf(done);
          if (i >= 0) waiters.splice(i, 1);
          reject(new Error(`no watch event within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = (e: { type: string; object: any } | undefined) => {
          clearTimeout(timer);
          resolve(e);
        };
        waiters.push(done);
      });
    },
    async take(count, timeoutMs = 5000) {
      const out: Array<{ type: string; object: any }> = [];
      for (let i = 0; i < count; i++) {
        const e = await stream.next(timeoutMs);
        if (!e) break;
        out.push(e);
      }
      return out;
    },
    close() {
      abort.abort();
      res.body.destroy();
    },
  };
  return stream;
}

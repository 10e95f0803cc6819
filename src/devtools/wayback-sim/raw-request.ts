/**
 * A bare HTTP GET for checking the simulator's exact answers: unlike `fetch`, it adds no
 * headers (no User-Agent, no Accept-Encoding), follows no redirects and decodes nothing.
 */
import { get, type Agent, type IncomingHttpHeaders } from 'node:http';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body bytes as sent (still gzipped if the server gzipped them). */
  body: Buffer;
}

export interface RawRequestOptions {
  /** Request headers, sent as given. Default none. */
  headers?: Record<string, string>;
  /** Connection pool. Default: node's global agent (keep-alive). */
  agent?: Agent;
}

/** GETs `url`; rejects on connection errors (ECONNREFUSED, ECONNRESET, a body cut short). */
export function rawRequest(url: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = get(
      url,
      { headers: options.headers ?? {}, ...(options.agent === undefined ? {} : { agent: options.agent }) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('response aborted')));
        res.on('end', () => {
          if (!res.complete) reject(new Error('response cut short'));
          else resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
      },
    );
    req.on('error', reject);
  });
}

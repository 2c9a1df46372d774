// One HTTP request on a fresh connection (node:http, no keep-alive), for tests that send bodies the
// gateway refuses: an answer sent before the body was read closes the connection, which a pooled
// client (fetch) may reuse and see reset. Resolves with the status and the whole answer.
import { request } from 'node:http';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export function sendOnce(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
  timeoutMs = 20_000,
): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const req = request(url, { method, headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer in ${timeoutMs} ms`)));
    // The gateway may answer (and close) before it read a body it refuses: not a failure.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' ? undefined : reject(err)));
    if (body !== undefined && method !== 'GET' && method !== 'HEAD') req.end(body);
    else req.end();
  });
}

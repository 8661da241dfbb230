// A JSON-RPC proxy between a connection-chain node's workers and a linked chain: it counts the
// calls that pass (the bench's calls per transfer) and keeps each batch's calls (the end-to-end
// tests check what went out together).

import { createServer } from 'node:http';

/** The key under which `counts()` counts batch requests; each call of a batch counts as well. */
export const BATCHES = '(batches)';

/**
 * A proxy on 127.0.0.1:`port` that forwards every request to `target()`. Resolves with
 * { url, counts(), batches(), close() }: `counts()` is a Map of calls by method, `batches()`
 * the calls ({ method, params }) of each batch request, in the order they came.
 */
export async function countingProxy(port, target) {
  const calls = new Map();
  const batches = [];
  const count = (method) => calls.set(method, (calls.get(method) ?? 0) + 1);
  const server = createServer(async (request, response) => {
    const chunks = [];
    for await (const chunk of request) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    try {
      const payload = JSON.parse(body);
      if (Array.isArray(payload)) {
        count(BATCHES);
        batches.push(payload.map(({ method, params }) => ({ method, params })));
        for (const call of payload) count(call.method);
      } else count(payload.method);
      const answer = await fetch(target(), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      response.writeHead(answer.status, { 'Content-Type': 'application/json' });
      response.end(Buffer.from(await answer.arrayBuffer()));
    } catch {
      response.writeHead(502);
      response.end();
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => new Map(calls),
    batches: () => [...batches],
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

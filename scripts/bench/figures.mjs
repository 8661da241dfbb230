// Small helpers for the bench's figures.

import { BATCHES } from '../../tests/lib/rpc-proxy.mjs';

export const say = (text) => console.log(text);
export const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
export const seconds = (ms) => (ms / 1000).toFixed(1);

/** The calls in `counts` (batches are not calls). */
export const total = (counts) => [...counts].reduce((sum, [method, n]) => sum + (method === BATCHES ? 0 : n), 0);
/** The calls per method made between two counts. */
export const delta = (after, before) => new Map([...after].map(([method, n]) => [method, n - (before.get(method) ?? 0)]));

/** The least-squares slope of `y` over `x` of `points`. */
export function slope(points, x, y) {
  const mean = (f) => points.reduce((sum, point) => sum + f(point), 0) / points.length;
  const mx = mean(x);
  const my = mean(y);
  return mean((point) => (x(point) - mx) * (y(point) - my)) / mean((point) => (x(point) - mx) ** 2);
}

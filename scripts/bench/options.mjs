// The bench's command line (see main.mjs for what each run measures).

import { parseArgs } from 'node:util';

/** The senders of the sustained runs, one each. */
export const SUSTAINED_SENDERS = ['//Dave', '//Eve', '//Ferdie'];
/** Anvil's --block-time in tests/lib/node-process.mjs. */
export const ANVIL_BLOCK_SECONDS = 1;

/** The options of `args`: `{ presigned, sequential, atOnceCounts, sustainedFractions, sustainedSeconds }`. */
export function benchOptions(args) {
  const { values } = parseArgs({
    args,
    options: { sequential: { type: 'string', default: '50' }, throughput: { type: 'string', default: '1000,10000,20000' },
      presigned: { type: 'boolean', default: false }, sustained: { type: 'string', default: '0.5,0.6' },
      'sustained-seconds': { type: 'string', default: '150' } },
  });
  const options = {
    presigned: values.presigned,
    sequential: Number(values.sequential),
    // Each count is a separate run of transfers submitted at once.
    atOnceCounts: values.throughput.split(',').map(Number),
    // Each fraction is a run of deposits offered at that fraction of the slower plain rate, for
    // `sustainedSeconds`.
    sustainedFractions: values.sustained.split(',').filter(Boolean).map(Number),
    sustainedSeconds: Number(values['sustained-seconds']),
  };
  if (options.sustainedFractions.length > SUSTAINED_SENDERS.length) {
    throw new Error(`at most ${SUSTAINED_SENDERS.length} sustained runs (one sender each)`);
  }
  return options;
}

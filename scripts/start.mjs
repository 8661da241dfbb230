// The main job (run by scripts/start.sh once the node is built): starts the three chains on
// 127.0.0.1, sets up an exchange, makes one transfer each way as a user would, prints the trails
// and balances, and leaves the network running until Ctrl-C.
//
// Usage: node scripts/start.mjs [--validators 1|3]

import { parseArgs } from 'node:util';
import { ANVIL_CHAIN, LEDGER_CHAIN, startNetwork } from '../tests/lib/network.mjs';
import { ETH, Exchange, LNK, formatBalances, formatTrail } from '../tests/lib/exchange.mjs';

const { values } = parseArgs({ options: { validators: { type: 'string', default: '1' } } });
const validators = Number(values.validators);
if (![1, 3].includes(validators)) throw new Error('--validators is 1 (--dev) or 3 (local preset)');

// The ports clients expect: 9944 for the (first) connection-chain node, 8545 for the EVM chain.
const ports = {
  anvil: 8545,
  ledger: { rpc: 9955, p2p: 30355, prometheus: 9625 },
  validator: (i) => ({ rpc: 9944 + i, p2p: 30333 + i, prometheus: 9615 + i }),
};
const say = (text) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${text}`);

say(`starting anvil (${ports.anvil}), the linked ledger (${ports.ledger.rpc}) and ` +
  `${validators === 1 ? 'the connection chain --dev' : 'three connection-chain validators (local preset)'} ` +
  `(${[...Array(validators).keys()].map((i) => ports.validator(i).rpc).join(', ')})`);
const network = await startNetwork({ name: 'start', ports, validators });
let exchange;

let stopping = false;
async function shutDown(code) {
  if (stopping) return;
  stopping = true;
  say('stopping the network');
  await exchange?.disconnect().catch(() => {});
  await network.stop();
  say('stopped');
  process.exit(code);
}
// Ctrl-C stops every process cleanly (SIGTERM, then wait), instead of the test library's kill.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.removeAllListeners(signal);
  process.on(signal, () => shutDown(0));
}

try {
  exchange = await Exchange.connect(network);
  await exchange.setUp({ log: say });

  for (const [direction, amount, unit] of [['ledger-to-anvil', 100n * LNK, 'LNK'], ['anvil-to-ledger', 5n * 10n ** 16n, 'ETH']]) {
    const shown = unit === 'LNK' ? `${amount / LNK} LNK` : `${Number(amount) / Number(ETH)} ETH`;
    say(`${direction}: Charlie requests ${shown} and deposits it from the source chain, signed with the user's own key`);
    const { id, record, seconds, before, after } = await exchange.exchange({ direction, amount, reference: direction });
    say(`transfer ${id}: ${record.state.type} in ${seconds.toFixed(1)} s; trail recorded on the connection chain:`);
    for (const line of formatTrail(record)) console.log(`    ${line}`);
    console.log('  balances on the linked chains, before → after (change):');
    for (const line of formatBalances(before, after)) console.log(`    ${line}`);
  }
  for (const { chain, balance, expected } of await exchange.vaults()) {
    say(`vault of chain ${chain}: ${balance} on chain, ${expected} in the pallet's ledger` +
      (balance === expected ? ' (equal)' : ' (DIFFERENT)'));
  }
} catch (error) {
  console.error(error);
  await shutDown(1);
}

console.log(`
The network keeps running (Ctrl-C stops it):
  connection chain   ws://127.0.0.1:${ports.validator(0).rpc}  (polkadot.js apps: https://polkadot.js.org/apps/?rpc=ws://127.0.0.1:${ports.validator(0).rpc})
  linked ledger      ws://127.0.0.1:${ports.ledger.rpc}  (chain id ${LEDGER_CHAIN} on the connection chain)
  anvil (EVM)        http://127.0.0.1:${ports.anvil}  (chain id ${ANVIL_CHAIN}; EVM chain id 31337)
  logs and databases ${network.dir}
Try: query connectionChain.transfers, connectionChainApi.quote(rule, amount, null), or request
another transfer as in README "What to try next".`);
await exchange.disconnect();
setInterval(() => {}, 1 << 30); // until Ctrl-C

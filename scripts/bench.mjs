// Measures the exchange on the local three-chain network (run by scripts/bench.sh): latency of
// sequential transfers each way against the floor the chains' block times and confirmations
// set, split by step. (How many requests and reports fit in a block: runtime/tests/block_capacity.rs.)
//
// Usage: node scripts/bench.mjs [--sequential N]   (default 50 each way)

import { parseArgs } from 'node:util';
import { ANVIL_CHAIN, LEDGER_CHAIN, startNetwork } from '../tests/lib/network.mjs';
import { Exchange, LNK } from '../tests/lib/exchange.mjs';

const { values } = parseArgs({ options: { sequential: { type: 'string', default: '50' } } });
const SEQUENTIAL = Number(values.sequential);
const ANVIL_BLOCK_SECONDS = 1; // anvil's --block-time in tests/lib/node-process.mjs

const say = (text) => console.log(text);
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const seconds = (ms) => (ms / 1000).toFixed(1);

const network = await startNetwork({ name: 'bench', base: 24000 });
const exchange = await Exchange.connect(network);
try {
  await exchange.setUp({ liquidity: { ledger: 10_000n * LNK, anvil: 20n * 10n ** 18n } });
  const { cc, ledger } = exchange;

  // ---- The chains' own limits ----
  const blockSeconds = async (api) => Number((await api.call.auraApi.slotDuration()).toBigInt()) / 1000;
  const ccBlock = await blockSeconds(cc);
  const ledgerBlock = await blockSeconds(ledger);
  const confirmations = {};
  for (const chain of [LEDGER_CHAIN, ANVIL_CHAIN]) {
    confirmations[chain] = (await cc.query.connectionChain.chains(chain)).unwrap().confirmations.toNumber();
  }
  const linkedBlock = { [LEDGER_CHAIN]: ledgerBlock, [ANVIL_CHAIN]: ANVIL_BLOCK_SECONDS };
  // A step waits for its transaction's block and its confirmations on the linked chain, then
  // for one connection-chain block to carry the report. A Substrate chain's "confirmations"
  // are 0 (GRANDPA finality), which this floor counts as nothing more.
  const stepFloor = (chain) => linkedBlock[chain] * (1 + confirmations[chain]) + ccBlock;
  say(`block times: connection chain ${ccBlock} s, linked ledger ${ledgerBlock} s, anvil ${ANVIL_BLOCK_SECONDS} s; ` +
    `confirmations: ledger ${confirmations[LEDGER_CHAIN]}, anvil ${confirmations[ANVIL_CHAIN]}`);

  // ---- Latency ----
  const directions = [
    { direction: 'ledger-to-anvil', amount: 2n * LNK, source: LEDGER_CHAIN, destination: ANVIL_CHAIN },
    { direction: 'anvil-to-ledger', amount: 2n * 10n ** 15n, source: ANVIL_CHAIN, destination: LEDGER_CHAIN },
  ];
  const latencyRows = [];
  for (const { direction, amount, source, destination } of directions) {
    // Deposit on the source, payout on the destination, settlement on the source.
    const floor = stepFloor(source) + stepFloor(destination) + stepFloor(source);
    const totals = [];
    const parts = { deposit: [], payout: [], settlement: [] };
    for (let i = 0; i < SEQUENTIAL; i++) {
      const { record, seconds: total } = await exchange.exchange({ direction, amount, reference: `bench-${direction}-${i}` });
      if (record.state.type !== 'Completed') throw new Error(`transfer ${i} ${direction} ended ${record.state.type}`);
      const fixed = (kind) => record.trail.find((step) => step.kind.type === kind).fixed.unwrap().time.toNumber();
      const requested = record.trail[0].requested.time.toNumber();
      totals.push(total * 1000);
      parts.deposit.push(fixed('Deposit') - requested);
      parts.payout.push(fixed('Payout') - fixed('Deposit'));
      parts.settlement.push(fixed('Settlement') - fixed('Payout'));
    }
    const row = { direction, floor, n: SEQUENTIAL };
    for (const [name, values] of Object.entries({ total: totals, ...parts })) {
      const sorted = [...values].sort((a, b) => a - b);
      row[name] = { median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) };
    }
    latencyRows.push(row);
  }

  // ---- Report ----
  say('');
  say(`Latency, request to completed, ${SEQUENTIAL} sequential transfers each way (seconds):`);
  say('  direction         floor  median (×floor)  p95 (×floor)   deposit med/p95  payout med/p95  settlement med/p95');
  for (const row of latencyRows) {
    const ratio = (ms) => (ms / 1000 / row.floor).toFixed(2);
    say(`  ${row.direction.padEnd(16)} ${String(row.floor).padStart(5)}  ${seconds(row.total.median).padStart(6)} (${ratio(row.total.median)})` +
      `    ${seconds(row.total.p95).padStart(6)} (${ratio(row.total.p95)})` +
      `   ${seconds(row.deposit.median)}/${seconds(row.deposit.p95)}`.padEnd(18) +
      `  ${seconds(row.payout.median)}/${seconds(row.payout.p95)}`.padEnd(16) +
      `  ${seconds(row.settlement.median)}/${seconds(row.settlement.p95)}`);
  }
} finally {
  await exchange.disconnect();
  await network.stop();
}

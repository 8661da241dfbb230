// Latency: sequential transfers each way against the floor the chains' block times and
// finality set, split by step, with the workers' JSON-RPC calls counted by the proxies.

import { setTimeout as sleep } from 'node:timers/promises';
import { ANVIL_CHAIN, LEDGER_CHAIN } from '../../tests/lib/network.mjs';
import { LNK } from '../../tests/lib/exchange.mjs';
import { jsonRpc } from '../../tests/lib/node-process.mjs';
import { ANVIL_BLOCK_SECONDS } from './options.mjs';
import { delta, quantile, say, total } from './figures.mjs';

/** The block time of the chain `api`, in seconds. */
export const blockSeconds = async (api) => Number((await api.call.auraApi.slotDuration()).toBigInt()) / 1000;

/**
 * The least time a step can take on each linked chain (seconds): its transaction's block, the
 * blocks its finality needs there, and one connection-chain block to carry the report.
 */
async function stepFloors(cc, ledger) {
  const ccBlock = await blockSeconds(cc);
  const ledgerBlock = await blockSeconds(ledger);
  const confirmations = {};
  for (const chain of [LEDGER_CHAIN, ANVIL_CHAIN]) {
    confirmations[chain] = (await cc.query.connectionChain.chains(chain)).unwrap().confirmations.toNumber();
  }
  const linkedBlock = { [LEDGER_CHAIN]: ledgerBlock, [ANVIL_CHAIN]: ANVIL_BLOCK_SECONDS };
  // A step waits for its transaction's block and the blocks its finality needs on the linked
  // chain, then for one connection-chain block to carry the report. On anvil those are the
  // chain's registered confirmations. The linked ledger is registered with 0 (its worker waits
  // for GRANDPA instead), and GRANDPA there votes only on blocks at least
  // GRANDPA_VOTE_DEPTH behind the best (the node's default voting rule, node/src/service.rs):
  // a block waits for that many blocks on top. The time of a GRANDPA round itself is not
  // counted.
  const GRANDPA_VOTE_DEPTH = 2;
  const finalityBlocks = { [LEDGER_CHAIN]: GRANDPA_VOTE_DEPTH, [ANVIL_CHAIN]: confirmations[ANVIL_CHAIN] };
  const stepFloor = (chain) => linkedBlock[chain] * (1 + finalityBlocks[chain]) + ccBlock;
  say(`block times: connection chain ${ccBlock} s, linked ledger ${ledgerBlock} s, anvil ${ANVIL_BLOCK_SECONDS} s; ` +
    `blocks on top before final: ledger ${GRANDPA_VOTE_DEPTH} (GRANDPA voting rule; registered confirmations ` +
    `${confirmations[LEDGER_CHAIN]}), anvil ${confirmations[ANVIL_CHAIN]} (registered confirmations)`);
  return stepFloor;
}

/** The workers' calls to each linked chain per connection-chain block while nothing happens. */
async function idleCalls(cc, proxies, ccBlock) {
  const idleBlocks = 10;
  const idleStart = [proxies[LEDGER_CHAIN].counts(), proxies[ANVIL_CHAIN].counts()];
  const idleFrom = (await cc.query.system.number()).toNumber();
  await sleep(idleBlocks * ccBlock * 1000);
  const idleTo = (await cc.query.system.number()).toNumber();
  return [LEDGER_CHAIN, ANVIL_CHAIN].map((chain, i) =>
    total(delta(proxies[chain].counts(), idleStart[i])) / Math.max(1, idleTo - idleFrom));
}

/**
 * Follows the linked ledger's finality lag, from a block's import to the finalized head
 * reaching it: `{ lags, stop }`, the lags in ms as they come.
 */
async function followFinalityLag(ledger) {
  const imported = new Map();
  const lags = [];
  const stopNewHeads = await ledger.rpc.chain.subscribeNewHeads((header) => imported.set(header.number.toNumber(), Date.now()));
  const stopFinalized = await ledger.rpc.chain.subscribeFinalizedHeads((header) => {
    for (const [number, at] of imported) {
      if (number > header.number.toNumber()) continue;
      lags.push(Date.now() - at);
      imported.delete(number);
    }
  });
  return { lags, stop: () => { stopNewHeads(); stopFinalized(); } };
}

/** `sequential` transfers one way, one after another: a row of `reportLatency`. */
async function latencyOneWay({ network, exchange, proxies }, { direction, amount, source, destination }, floor, sequential) {
  const { cc, ledger } = exchange;
  const callCounts = () => [proxies[LEDGER_CHAIN].counts(), proxies[ANVIL_CHAIN].counts()];
  const heights = async () => [(await ledger.query.system.number()).toNumber(),
    Number(BigInt(await jsonRpc(network.anvil.url, 'eth_blockNumber')))];
  // Calls are also counted over each half of the transfers: the second half runs on longer
  // linked chains, so equal figures show the work does not grow with their history.
  const half = Math.max(1, Math.floor(sequential / 2));
  const marks = [{ calls: callCounts(), heights: await heights(), transfers: 0 }];
  const callsBefore = marks[0].calls;
  const blockBefore = (await cc.query.system.number()).toNumber();
  const totals = [];
  const parts = { deposit: [], payout: [], settlement: [] };
  for (let i = 0; i < sequential; i++) {
    const { record, seconds: total } = await exchange.exchange({ direction, amount, reference: `bench-${direction}-${i}` });
    if (record.state.type !== 'Completed') throw new Error(`transfer ${i} ${direction} ended ${record.state.type}`);
    const fixed = (kind) => record.trail.find((step) => step.kind.type === kind).fixed.unwrap().time.toNumber();
    const requested = record.trail[0].requested.time.toNumber();
    totals.push(total * 1000);
    parts.deposit.push(fixed('Deposit') - requested);
    parts.payout.push(fixed('Payout') - fixed('Deposit'));
    parts.settlement.push(fixed('Settlement') - fixed('Payout'));
    if (i + 1 === half || i + 1 === sequential) marks.push({ calls: callCounts(), heights: await heights(), transfers: i + 1 });
  }
  const blocks = (await cc.query.system.number()).toNumber() - blockBefore;
  const calls = [LEDGER_CHAIN, ANVIL_CHAIN].map((chain, i) => delta(proxies[chain].counts(), callsBefore[i]));
  const row = { direction, floor, n: sequential, blocks, calls, marks };
  for (const [name, values] of Object.entries({ total: totals, ...parts })) {
    const sorted = [...values].sort((a, b) => a - b);
    row[name] = { median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) };
  }
  return row;
}

/**
 * `sequential` transfers each way on the network (`ctx`: `network`, `exchange`, the counting
 * `proxies`). Returns the rows of `reportLatency`, the linked ledger's finality lags (ms) and
 * the workers' calls per connection-chain block while idle.
 */
export async function measureLatency(ctx, sequential) {
  const { cc, ledger } = ctx.exchange;
  const stepFloor = await stepFloors(cc, ledger);
  const idlePerBlock = await idleCalls(cc, ctx.proxies, await blockSeconds(cc));
  const finality = await followFinalityLag(ledger);
  const directions = [
    { direction: 'ledger-to-anvil', amount: 2n * LNK, source: LEDGER_CHAIN, destination: ANVIL_CHAIN },
    { direction: 'anvil-to-ledger', amount: 2n * 10n ** 15n, source: ANVIL_CHAIN, destination: LEDGER_CHAIN },
  ];
  const latencyRows = [];
  for (const way of directions) {
    // Deposit on the source, payout on the destination, settlement on the source.
    const floor = stepFloor(way.source) + stepFloor(way.destination) + stepFloor(way.source);
    latencyRows.push(await latencyOneWay(ctx, way, floor, sequential));
  }
  finality.stop();
  return { latencyRows, ledgerLag: finality.lags, idlePerBlock };
}

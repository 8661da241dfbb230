// Measures the exchange on the local three-chain network (run by scripts/bench.sh): latency of
// sequential transfers each way against the floor the chains' block times and confirmations
// set, split by step; throughput of transfers submitted at once against plain transfers on both
// linked chains submitted the same way; the rate the exchange keeps up with under a sustained
// load, offered as a fraction of that plain rate; and the JSON-RPC calls the connection node's
// workers make during the latency transfers, counted by a proxy between the node and each
// linked chain. (How many requests and reports fit in a block: runtime/tests/block_capacity.rs.)
//
// Usage: node scripts/bench.mjs [--sequential N] [--throughput M[,M2…]] [--presigned]
//                               [--sustained F[,F2,F3]] [--sustained-seconds S]
//   (defaults: 50 each way; 1,000, 10,000 and 20,000 at once; 0.5 and 0.6 for 150 s). With
//   --presigned every transaction of a throughput run is signed before its clock starts, so the
//   rates are the chains' own and not this one-thread client's signing pace (the same for the
//   cross-chain deposits and the plain transfers). A sustained run offers deposits at F times
//   the slower plain rate of the runs at once (the highest of them) for S seconds.

import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { ANVIL_CHAIN, LEDGER_CHAIN, startNetwork } from '../tests/lib/network.mjs';
import { Keyring, WsProvider } from '@polkadot/api';
import { hexToU8a, stringToHex, u8aToHex } from '@polkadot/util';
import { Exchange, LNK, depositMemo } from '../tests/lib/exchange.mjs';
import { jsonRpc, waitFor } from '../tests/lib/node-process.mjs';
import { BATCHES, countingProxy } from '../tests/lib/rpc-proxy.mjs';

const { values } = parseArgs({
  options: { sequential: { type: 'string', default: '50' }, throughput: { type: 'string', default: '1000,10000,20000' },
    presigned: { type: 'boolean', default: false }, sustained: { type: 'string', default: '0.5,0.6' },
    'sustained-seconds': { type: 'string', default: '150' } },
});
const PRESIGNED = values.presigned;
const SEQUENTIAL = Number(values.sequential);
// Each count is a separate run of transfers submitted at once.
const AT_ONCE_COUNTS = values.throughput.split(',').map(Number);
// Each fraction is a run of deposits offered at that fraction of the slower plain rate, for
// SUSTAINED_SECONDS.
const SUSTAINED_FRACTIONS = values.sustained.split(',').filter(Boolean).map(Number);
const SUSTAINED_SECONDS = Number(values['sustained-seconds']);
const SUSTAINED_SENDERS = ['//Dave', '//Eve', '//Ferdie'];
if (SUSTAINED_FRACTIONS.length > SUSTAINED_SENDERS.length) {
  throw new Error(`at most ${SUSTAINED_SENDERS.length} sustained runs (one sender each)`);
}
const ANVIL_BLOCK_SECONDS = 1; // anvil's --block-time in tests/lib/node-process.mjs

const say = (text) => console.log(text);
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const seconds = (ms) => (ms / 1000).toFixed(1);

/** How many of `records` (optional transfer records) are in each state. */
function countStates(records) {
  const states = {};
  for (const record of records) {
    if (record.isNone) continue;
    const state = record.unwrap().state.type;
    states[state] = (states[state] ?? 0) + 1;
  }
  return states;
}
const IN_FLIGHT = ['AwaitingDeposit', 'PayingOut', 'Settling', 'Refunding'];
/**
 * How many transfers the connection chain at `url` opened from id `firstId` on, at block `at`
 * (the best block if `at` is undefined).
 */
async function openedSince(api, url, firstId, at) {
  const nextId = await jsonRpc(url, 'state_getStorage', [api.query.connectionChain.nextTransferId.key(), at]);
  return (nextId ? api.createType('u64', hexToU8a(nextId)).toNumber() : 0) - firstId;
}
/**
 * The transfers from id `firstId` on at block `at` of the connection chain at `url` (the best
 * block if `at` is undefined): how many were opened, how many are in each state still in flight
 * (from the state index), and how many ended. Only the bench opens transfers. The index's keys
 * are counted as raw JSON-RPC answers, without decoding them (tens of thousands per block of a
 * burst's profile). While transfers are under way the bench asks `progressAt` instead.
 */
async function statesAt(api, url, firstId, at) {
  const states = { opened: await openedSince(api, url, firstId, at), inFlight: 0 };
  for (const state of IN_FLIGHT) {
    const prefix = api.query.connectionChain.transfersByState.keyPrefix(state);
    const PAGE = 1000;
    let n = 0;
    for (let start = null; ;) {
      const keys = await jsonRpc(url, 'state_getKeysPaged', [prefix, PAGE, start, at]);
      n += keys.length;
      if (keys.length < PAGE) break;
      start = keys[keys.length - 1];
    }
    if (n > 0) states[state] = n;
    states.inFlight += n;
  }
  states.ended = states.opened - states.inFlight;
  return states;
}
/**
 * How many transfers from id `firstId` on the connection chain at `url` has opened and how many
 * of them are still in flight, from two storage values: the next transfer id and the open
 * transfers of `operator` (the one operator of the bench's transfers). The throughput runs ask
 * this while their transfers go through, so it must cost the node and this one-thread client
 * next to nothing: counting the state index's keys (`statesAt`) returned up to 20,000 keys a
 * time, which the node had to read and this thread to parse.
 */
async function progressAt(api, url, firstId, operator) {
  const [opened, info] = await Promise.all([
    openedSince(api, url, firstId),
    jsonRpc(url, 'state_getStorage', [api.query.connectionChain.operators.key(operator)]),
  ]);
  const infoType = api.registry.createLookupType(api.query.connectionChain.operators.creator.meta.type.asMap.value);
  const inFlight = info ? api.createType(infoType, hexToU8a(info)).openTransfers.toNumber() : 0;
  return { opened, inFlight, ended: opened - inFlight };
}
/** `states` without its totals, for printing. */
const shown = ({ opened, inFlight, ...states }) => JSON.stringify(states);

/** The calls in `counts` (batches are not calls). */
const total = (counts) => [...counts].reduce((sum, [method, n]) => sum + (method === BATCHES ? 0 : n), 0);
const delta = (after, before) => new Map([...after].map(([method, n]) => [method, n - (before.get(method) ?? 0)]));

/**
 * What each block from `from` to `to` of the connection chain (`api`, its JSON-RPC at `ccUrl`)
 * carried (requests, reports and the observations in them by kind, other signed extrinsics;
 * weight of those extrinsics and the share of the normal class used; encoded length) and the
 * states of the transfers from `firstId` on after it.
 */
async function profileBlocks(api, ccUrl, from, to, firstId) {
  const normalLimit = api.consts.system.blockWeights.perClass.normal.maxTotal.unwrap().refTime.toBigInt();
  const blocks = [];
  for (let number = from; number <= to; number++) {
    const hash = await api.rpc.chain.getBlockHash(number);
    const [{ block }, at] = await Promise.all([api.rpc.chain.getBlock(hash), api.at(hash)]);
    const [events, now, weight, states] = await Promise.all([
      at.query.system.events(), at.query.timestamp.now(), at.query.system.blockWeight(), statesAt(api, ccUrl, firstId, hash.toHex()),
    ]);
    const row = { number, time: now.toNumber(), requests: 0, reports: 0, others: 0, refTime: 0, length: 0,
      byObservation: { deposit: 0, outbound: 0, other: 0 } };
    for (const [index, extrinsic] of block.extrinsics.entries()) {
      const { section, method } = extrinsic.method;
      if (section === 'timestamp') continue;
      row.length += extrinsic.encodedLength;
      const done = events.find(({ phase, event }) => phase.isApplyExtrinsic && phase.asApplyExtrinsic.toNumber() === index &&
        event.section === 'system' && ['ExtrinsicSuccess', 'ExtrinsicFailed'].includes(event.method));
      if (done) row.refTime += done.event.data.dispatchInfo.weight.refTime.toNumber();
      if (section === 'connectionChain' && method === 'requestTransfer') row.requests++;
      else if (section === 'connectionChain' && method === 'report') {
        row.reports++;
        for (const { type } of extrinsic.method.args[0]) {
          if (type === 'Deposit') row.byObservation.deposit++;
          else if (type.startsWith('Outbound')) row.byObservation.outbound++;
          else row.byObservation.other++;
        }
      } else row.others++;
    }
    row.weightShare = Number(weight.normal.refTime.toBigInt()) / Number(normalLimit);
    row.states = states;
    blocks.push(row);
  }
  return blocks;
}

/**
 * How the linked ledger (`api`) took the transactions `signer` sent, from block `from` on: the
 * blocks that hold any, from the first to the last, with how many each holds and the time its
 * timestamp inherent gives.
 */
async function ledgerIntake(api, signer, from) {
  const to = (await api.query.system.number()).toNumber();
  const rows = [];
  for (let number = from; number <= to; number++) {
    const { block } = await api.rpc.chain.getBlock(await api.rpc.chain.getBlockHash(number));
    const sent = block.extrinsics.filter((xt) => xt.isSigned && xt.signer.toString() === signer).length;
    const time = block.extrinsics.find((xt) => xt.method.section === 'timestamp').method.args[0].toNumber();
    rows.push({ number, sent, time });
  }
  const holding = rows.filter((row) => row.sent > 0);
  const first = holding[0];
  const last = holding[holding.length - 1];
  const counts = holding.map((row) => row.sent).sort((a, b) => a - b);
  return { blocks: last.number - first.number + 1, first: first.number, last: last.number,
    seconds: (last.time - first.time) / 1000, most: counts[counts.length - 1], median: quantile(counts, 0.5) };
}
/** One line of `ledgerIntake`'s figures. */
const intake = ({ blocks, first, last, seconds: span, most, median }) =>
  `${blocks} ledger blocks (#${first}-#${last}, ${span.toFixed(0)} s apart), at most ${most} and a median ${median} in a block that has any`;

/** Prints `profileBlocks`' rows for `count` transfers; returns the first block's time. */
function printBlocks(count, blocks) {
  say(`Connection-chain blocks of the ${count} transfers (the profile: what each block carried, and where the transfers were after it):`);
  say('  block     time  requests  reports (observations: deposit/outbound/other)  weight  length  transfers by state');
  const t0 = blocks[0]?.time ?? 0;
  for (const block of blocks) {
    say(`  #${String(block.number).padEnd(6)} ${seconds(block.time - t0).padStart(6)}  ${String(block.requests).padStart(8)}  ` +
      `${String(block.reports).padStart(7)} (${block.byObservation.deposit}/${block.byObservation.outbound}/${block.byObservation.other})`.padEnd(48) +
      `  ${(block.weightShare * 100).toFixed(0).padStart(5)}%  ${(block.length / 1024).toFixed(0).padStart(4)} K  ${shown(block.states)}`);
  }
  return t0;
}

/** Prints one throughput run: rates against the plain transfers, its blocks, cost per transfer. */
function reportThroughput({ count, states, blocks, crossSeconds, ledgerSeconds, anvilSeconds, depositSeconds, depositIntake, plainIntake }) {
  const crossRate = count / crossSeconds;
  const slower = Math.min(count / ledgerSeconds, count / anvilSeconds);
  say('');
  say(`Throughput, ${count} transfers submitted at once (ledger → anvil, each opened by its deposit): all ended in ${crossSeconds.toFixed(1)} s ` +
    `(deposits ${PRESIGNED ? 'signed beforehand; sent and' : 'signed, sent and'} in the ledger in ${depositSeconds.toFixed(1)} s): ` +
    `${crossRate.toFixed(2)} per second; ${JSON.stringify(states)}`);
  say(`  plain transfers, ${count} at once: linked ledger ${ledgerSeconds.toFixed(1)} s (${(count / ledgerSeconds).toFixed(1)}/s), ` +
    `anvil ${anvilSeconds.toFixed(1)} s (${(count / anvilSeconds).toFixed(1)}/s); cross-chain / slower = ${(crossRate / slower).toFixed(3)}`);
  say(`  the deposits went into ${intake(depositIntake)}; the plain transfers into ${intake(plainIntake)}`);

  const t0 = printBlocks(count, blocks);
  const firstDone = blocks.find((block) => block.states.ended);
  const lastDone = blocks.find((block) => block.states.ended === count);
  if (firstDone && lastDone && lastDone !== firstDone) {
    // How closely the last stage is bunched, from the first completion to the last: not what
    // the exchange sustains (a batch's last stage can finish within a few blocks).
    const completing = (count - firstDone.states.ended) / ((lastDone.time - firstDone.time) / 1000);
    say(`Completing rate: from the first completion (block #${firstDone.number}, ${seconds(firstDone.time - t0)} s, ${firstDone.states.ended} ended) ` +
      `to the last (#${lastDone.number}, ${seconds(lastDone.time - t0)} s): ` +
      `${completing.toFixed(1)} per second; / slower plain rate = ${(completing / slower).toFixed(3)}`);
  }
  const perTransfer = (key) => blocks.reduce((acc, block) => acc + block[key], 0) / count;
  say(`Cost per completed transfer: ${(perTransfer('requests') + perTransfer('reports') + perTransfer('others')).toFixed(2)} connection-chain extrinsics ` +
    `(${perTransfer('requests').toFixed(2)} requests, ${perTransfer('reports').toFixed(2)} reports, ${perTransfer('others').toFixed(2)} other), ` +
    `${(perTransfer('refTime') / 1e9).toFixed(2)} ms of weight, ${perTransfer('length').toFixed(0)} bytes ` +
    `(over ${blocks.length} blocks, inherents excluded)`);
}

let network;
let ledgerSubmitter;
const proxies = {
  [LEDGER_CHAIN]: await countingProxy(24060, () => network.ledger.httpUrl),
  [ANVIL_CHAIN]: await countingProxy(24061, () => network.anvil.url),
};
network = await startNetwork({
  name: 'bench',
  base: 24000,
  linkedEndpoint: (_, chain) => proxies[chain].url,
  // Room for the largest count at once: the default pool takes 8,192 ready transactions and a
  // tenth as many future ones (20 MiB), and the transactions sent at once reach the node in
  // any order, so up to all of them may wait for a nonce before them.
  nodeArgs: ['--pool-limit', String(10 * Math.max(8192, ...AT_ONCE_COUNTS)), '--pool-kbytes', '2000000'],
});
const exchange = await Exchange.connect(network);
try {
  // Each at-once transfer of 2 LNK pays out about 0.002 ETH.
  // A sustained run offers at most a fraction of a plain rate this machine keeps below 1,500/s
  // (and pays 1 LNK: counted here as 2, with room to spare).
  const transfers = AT_ONCE_COUNTS.reduce((sum, n) => sum + n, 0) +
    Math.ceil(SUSTAINED_FRACTIONS.reduce((sum, fraction) => sum + fraction, 0) * 1500 * SUSTAINED_SECONDS);
  const anvilLiquidity = 10n ** 18n + BigInt(transfers) * 2n * 10n ** 15n;
  await exchange.setUp({ liquidity: { ledger: 10_000n * LNK, anvil: anvilLiquidity } });
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

  // ---- Latency ----
  const directions = [
    { direction: 'ledger-to-anvil', amount: 2n * LNK, source: LEDGER_CHAIN, destination: ANVIL_CHAIN },
    { direction: 'anvil-to-ledger', amount: 2n * 10n ** 15n, source: ANVIL_CHAIN, destination: LEDGER_CHAIN },
  ];
  // The workers' calls while nothing happens, per connection-chain block.
  const idleBlocks = 10;
  const idleStart = [proxies[LEDGER_CHAIN].counts(), proxies[ANVIL_CHAIN].counts()];
  const idleFrom = (await cc.query.system.number()).toNumber();
  await sleep(idleBlocks * ccBlock * 1000);
  const idleTo = (await cc.query.system.number()).toNumber();
  const idlePerBlock = [LEDGER_CHAIN, ANVIL_CHAIN].map((chain, i) =>
    total(delta(proxies[chain].counts(), idleStart[i])) / Math.max(1, idleTo - idleFrom));

  // The linked ledger's finality lag: from a block's import to the finalized head reaching it.
  const ledgerImported = new Map();
  const ledgerLag = [];
  const stopNewHeads = await ledger.rpc.chain.subscribeNewHeads((header) => ledgerImported.set(header.number.toNumber(), Date.now()));
  const stopFinalized = await ledger.rpc.chain.subscribeFinalizedHeads((header) => {
    for (const [number, at] of ledgerImported) {
      if (number > header.number.toNumber()) continue;
      ledgerLag.push(Date.now() - at);
      ledgerImported.delete(number);
    }
  });

  const latencyRows = [];
  for (const { direction, amount, source, destination } of directions) {
    const callCounts = () => [proxies[LEDGER_CHAIN].counts(), proxies[ANVIL_CHAIN].counts()];
    const heights = async () => [(await ledger.query.system.number()).toNumber(),
      Number(BigInt(await jsonRpc(network.anvil.url, 'eth_blockNumber')))];
    // Calls are also counted over each half of the transfers: the second half runs on longer
    // linked chains, so equal figures show the work does not grow with their history.
    const half = Math.max(1, Math.floor(SEQUENTIAL / 2));
    const marks = [{ calls: callCounts(), heights: await heights(), transfers: 0 }];
    const callsBefore = marks[0].calls;
    const blockBefore = (await cc.query.system.number()).toNumber();
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
      if (i + 1 === half || i + 1 === SEQUENTIAL) marks.push({ calls: callCounts(), heights: await heights(), transfers: i + 1 });
    }
    const blocks = (await cc.query.system.number()).toNumber() - blockBefore;
    const calls = [LEDGER_CHAIN, ANVIL_CHAIN].map((chain, i) => delta(proxies[chain].counts(), callsBefore[i]));
    const row = { direction, floor, n: SEQUENTIAL, blocks, calls, marks };
    for (const [name, values] of Object.entries({ total: totals, ...parts })) {
      const sorted = [...values].sort((a, b) => a - b);
      row[name] = { median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) };
    }
    latencyRows.push(row);
  }

  stopNewHeads();
  stopFinalized();

  // ---- Latency and finality lag, printed now ----
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

  const lags = [...ledgerLag].sort((a, b) => a - b);
  say(`  linked ledger: a block is final ${seconds(quantile(lags, 0.5))} s (median; p95 ${seconds(quantile(lags, 0.95))} s) ` +
    `after this client saw it imported (GRANDPA; ${lags.length} blocks)`);

  // ---- Throughput: `count` transfers submitted at once, then as many plain transfers ----
  // The proxies counted the workers' calls for the latency transfers (printed at the end). For
  // the throughput runs the workers call the chains directly, through the endpoint RPC a
  // validator would use: relayed, their calls (whole ledger blocks of thousands of deposits)
  // took this process's one thread from the signing.
  for (const [chain, url] of [[LEDGER_CHAIN, network.ledger.httpUrl], [ANVIL_CHAIN, network.anvil.url]]) {
    await jsonRpc(network.cc.httpUrl, 'offchain_localStorageSet',
      ['PERSISTENT', stringToHex(`connection-chain/endpoint/${chain}`), stringToHex(url)]);
  }
  const relayed = () => total(proxies[LEDGER_CHAIN].counts()) + total(proxies[ANVIL_CHAIN].counts());
  // A run under way may finish its pass on the old endpoint: that run is over within a block.
  await sleep(ccBlock * 1000);
  const relayedBefore = relayed();
  await sleep(2 * ccBlock * 1000);
  if (relayed() !== relayedBefore) throw new Error('the workers still call the linked chains through the proxies');
  const { charlie, bob } = exchange;
  // Transactions are sent this many at a time.
  const SEND_CHUNK = 200;
  /**
   * Signs `count` transactions (`sign(i)`) and sends each (`send(signed)`) without waiting for
   * any answer, a chunk at a time as soon as it is signed: the chain takes the first while the
   * client signs the rest. Resolves once every one was accepted.
   *
   * Signing is CPU-bound and takes this process's one thread: it yields after every signature,
   * so the chain's answers and the progress queries are not held up for a whole chunk.
   */
  async function signAndSendAll(count, sign, send) {
    const sent = [];
    let chunk = [];
    for (let i = 0; i < count; i++) {
      chunk.push(await sign(i));
      if (chunk.length === SEND_CHUNK || i === count - 1) {
        sent.push(...chunk.map(send));
        chunk = [];
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(sent);
  }
  /**
   * `count` transactions (`sign(i)`) ready to go: resolves with a function that sends them all
   * (`send(signed)`) and resolves once every one was accepted. Without --presigned that function
   * signs them as it goes (`signAndSendAll`); with it they are signed now, before the caller
   * starts its clock, and sent a chunk at a time (all at once overran anvil's HTTP server).
   */
  async function prepareAll(count, sign, send) {
    if (!PRESIGNED) return () => signAndSendAll(count, sign, send);
    const signed = [];
    for (let i = 0; i < count; i++) signed.push(await sign(i));
    return async () => {
      for (let i = 0; i < count; i += SEND_CHUNK) await Promise.all(signed.slice(i, i + SEND_CHUNK).map(send));
    };
  }
  // The transactions of a throughput run go to the ledger as raw JSON-RPC on a connection of
  // their own: handing them to polkadot.js's `author.submitExtrinsic` decodes each again.
  ledgerSubmitter = new WsProvider(network.ledger.wsUrl);
  await ledgerSubmitter.isReady;
  /**
   * `count` signatures of the ledger call `call` from `signer` with consecutive nonces, to be
   * sent all at once through `ledgerSubmitter` (`prepareAll`): `{ sendAll, nextNonce }`. The
   * call is built once and each signature encoded as soon as it is made (the next one
   * overwrites it): building each transaction anew took this one-thread client about 0.6 ms of
   * its 2.1 ms per deposit (a batch of two calls), 0.3 ms per plain transfer, while the chains
   * waited for them.
   */
  async function prepareForLedger(signer, call, count) {
    const first = (await ledger.rpc.system.accountNextIndex(signer.address)).toNumber();
    const sendAll = await prepareAll(count, async (i) => (await call.signAsync(signer, { nonce: first + i, era: 0 })).toHex(),
      (hex) => ledgerSubmitter.send('author_submitExtrinsic', [hex]));
    return { sendAll, nextNonce: first + count };
  }
  const untilNonce = (api, who, nonce) => waitFor(`${who}'s nonce ${nonce}`,
    async () => (await api.query.system.account(who)).nonce.toNumber() >= nonce, { timeoutMs: 10 * 60_000, intervalMs: 200 });

  /**
   * Resolves once the `count` transfers from id `firstId` on were all opened and ended. One that
   * stays in flight for good (a lost report, a missed outcome) fails the run (`what`) once no
   * transfer has opened or ended for STALL_MS.
   */
  async function untilEnded(what, count, firstId) {
    const STALL_MS = 5 * 60_000;
    let last = { progress: { opened: 0, inFlight: 0, ended: 0 }, at: Date.now() };
    for (;;) {
      // A failed query (a busy node) counts as no progress.
      const progress = await progressAt(cc, network.cc.httpUrl, firstId, bob.address).catch(() => last.progress);
      if (progress.opened === count && progress.inFlight === 0) return;
      if (progress.opened !== last.progress.opened || progress.ended !== last.progress.ended) {
        last = { progress, at: Date.now() };
      } else if (Date.now() - last.at > STALL_MS) {
        const states = await statesAt(cc, network.cc.httpUrl, firstId).catch(() => progress);
        throw new Error(`${what}: no transfer opened or ended for ${STALL_MS / 60_000} minutes: ${shown(states)}`);
      }
      // As often as the plain runs ask for their sender's nonce.
      await sleep(200);
    }
  }
  /**
   * Where a run of deposits starts: the id of the first transfer it opens, the first
   * connection-chain block and the first ledger block that can hold its work.
   */
  const runStart = async () => ({
    firstId: (await cc.query.connectionChain.nextTransferId()).toNumber(),
    fromBlock: (await cc.query.system.number()).toNumber() + 1,
    depositsFrom: (await ledger.query.system.number()).toNumber() + 1,
  });
  /**
   * What the run of `count` deposits from `sender` begun at `from` (`runStart`) left, once its
   * transfers ended: how the ledger took the deposits, the transfers' final states and the
   * connection chain's block profile. The ledger's blocks first: with 1 s blocks, the first of
   * a long run's are soon older than the 256 whose state its node keeps.
   */
  async function runRecord(from, count, sender) {
    const depositIntake = await ledgerIntake(ledger, sender.address, from.depositsFrom);
    const ids = [...Array(count).keys()].map((i) => from.firstId + i);
    const states = countStates(await cc.query.connectionChain.transfers.multi(ids));
    const to = (await cc.query.system.number()).toNumber();
    return { depositIntake, states, blocks: await profileBlocks(cc, network.cc.httpUrl, from.fromBlock, to, from.firstId) };
  }

  // Each transfer of a throughput run is one ledger transaction, as a plain transfer is: a
  // deposit whose memo opens it (rule, recipient; no request on the connection chain).
  const openingDeposit = (amount) => exchange.ledgerDeposit(amount,
    depositMemo({ newTransfer: { rule: exchange.ledgerToAnvil, recipient: exchange.userEvm.address } }));

  async function throughput(count) {
    const deposits = await prepareForLedger(charlie, openingDeposit(2n * LNK), count);
    const from = await runStart();
    const start = Date.now();
    await deposits.sendAll();
    await untilNonce(ledger, charlie.address, deposits.nextNonce);
    const deposited = Date.now();
    await untilEnded(`${count} at once`, count, from.firstId);
    const crossSeconds = (Date.now() - start) / 1000;
    const { depositIntake, states, blocks } = await runRecord(from, count, charlie);

    // Plain transfers on each linked chain, submitted the same way.
    const plain = await prepareForLedger(bob, ledger.tx.balances.transferKeepAlive(exchange.alice.address, LNK), count);
    const plainFrom = (await ledger.query.system.number()).toNumber() + 1;
    const ledgerStart = Date.now();
    await plain.sendAll();
    await untilNonce(ledger, bob.address, plain.nextNonce);
    const ledgerSeconds = (Date.now() - ledgerStart) / 1000;
    const plainIntake = await ledgerIntake(ledger, bob.address, plainFrom);
    const wallet = exchange.operatorEvm;
    const anvilNonce = BigInt(await jsonRpc(network.anvil.url, 'eth_getTransactionCount', [wallet.address, 'pending']));
    const gasPrice = 2n * BigInt(await jsonRpc(network.anvil.url, 'eth_gasPrice'));
    const payments = await prepareAll(count,
      (i) => wallet.sign(exchange.userEvm.address, 1n, new Uint8Array(), { nonce: anvilNonce + BigInt(i), gasPrice, chainId: 31337n }),
      (raw) => jsonRpc(network.anvil.url, 'eth_sendRawTransaction', [u8aToHex(raw)]));
    const anvilStart = Date.now();
    await payments();
    const target = anvilNonce + BigInt(count);
    await waitFor(`anvil nonce ${target}`, async () =>
      BigInt(await jsonRpc(network.anvil.url, 'eth_getTransactionCount', [wallet.address, 'latest'])) >= target,
    { timeoutMs: 10 * 60_000, intervalMs: 200 });
    const anvilSeconds = (Date.now() - anvilStart) / 1000;
    return { count, states, blocks, crossSeconds, ledgerSeconds, anvilSeconds, depositSeconds: (deposited - start) / 1000,
      depositIntake, plainIntake };
  }
  // Each run is printed when done, so a later, larger run that fails leaves its figures.
  let plainRate = 0;
  for (const count of AT_ONCE_COUNTS) {
    const run = await throughput(count);
    reportThroughput(run);
    plainRate = Math.max(plainRate, Math.min(count / run.ledgerSeconds, count / run.anvilSeconds));
  }

  /**
   * Deposits opening transfers (as in `throughput`) offered at `rate` per second for `seconds`,
   * each signed and sent when it falls due. A burst at once measures how fast a backlog clears,
   * one transfer's latency included; this measures what the exchange keeps up with. While it
   * keeps up, transfers complete as fast as they are offered and those in flight level off at
   * about the rate times one transfer's latency; past its rate, they grow for as long as the
   * load lasts. Its progress is sampled every second.
   */
  async function sustained(sender, rate, seconds) {
    const count = Math.round(rate * seconds);
    // The rule's least amount: a dev account's 100,000 LNK pay for tens of thousands.
    const deposit = openingDeposit(LNK);
    const cost = BigInt(count) * (LNK + (await deposit.paymentInfo(sender)).partialFee.toBigInt());
    const free = (await ledger.query.system.account(sender.address)).data.free.toBigInt();
    if (cost >= free) {
      throw new Error(`${count} deposits of 1 LNK and their fees would cost ${sender.address} ${cost} planck; it holds ${free}`);
    }
    const firstNonce = (await ledger.rpc.system.accountNextIndex(sender.address)).toNumber();
    const from = await runStart();
    const samples = [];
    let sent = 0;
    let sending = true;
    const start = Date.now();
    const elapsed = () => (Date.now() - start) / 1000;
    const sampling = (async () => {
      while (sending) {
        const progress = await progressAt(cc, network.cc.httpUrl, from.firstId, bob.address).catch(() => null);
        if (progress) samples.push({ at: elapsed(), sent, ...progress });
        await sleep(1000);
      }
    })();
    const accepted = [];
    const sentAt = new Float64Array(count);
    while (sent < count) {
      if (sent >= Math.min(count, Math.floor(rate * elapsed()))) {
        await sleep(5);
        continue;
      }
      const signed = await deposit.signAsync(sender, { nonce: firstNonce + sent, era: 0 });
      accepted.push(ledgerSubmitter.send('author_submitExtrinsic', [signed.toHex()]));
      sentAt[sent++] = elapsed();
      // Lets the sampler and the chain's answers in between signatures.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const sendSeconds = elapsed();
    await Promise.all(accepted);
    await untilNonce(ledger, sender.address, firstNonce + count);
    const depositSeconds = elapsed();
    sending = false;
    await sampling;
    await untilEnded(`${rate.toFixed(0)} per second for ${seconds} s`, count, from.firstId);
    const allSeconds = elapsed();
    // Transfers open in the order of their deposits' nonces and, on the whole, end in that
    // order: the sample's `ended`-th transfer, sent at `sentAt[ended - 1]`, is about the newest
    // to have ended, and `lag` about the time it took.
    for (const sample of samples) sample.lag = sample.ended > 0 ? sample.at - sentAt[sample.ended - 1] : undefined;
    return { rate, seconds, count, samples, sendSeconds, depositSeconds, allSeconds, ...await runRecord(from, count, sender) };
  }
  /** The least-squares slope of `y` over `x` of `points`. */
  function slope(points, x, y) {
    const mean = (f) => points.reduce((sum, point) => sum + f(point), 0) / points.length;
    const mx = mean(x);
    const my = mean(y);
    return mean((point) => (x(point) - mx) * (y(point) - my)) / mean((point) => (x(point) - mx) ** 2);
  }

  /**
   * Prints a sustained run: its progress every 5 s and, over the second half of the sending
   * (the first is for the pipeline to fill: one transfer's latency is 16-18 s), the rates the
   * transfers were sent and ended at (least-squares slopes over the samples: transfers end a
   * block's worth at a time) and how the lag of the newest ended transfer moved.
   */
  function reportSustained({ rate, seconds, count, samples, sendSeconds, depositSeconds, allSeconds, states, blocks, depositIntake }) {
    say('');
    say(`Sustained: ${count} transfers offered at ${rate.toFixed(1)} per second for ${seconds} s ` +
      `(${(rate / plainRate).toFixed(2)} of the slower plain rate, ${plainRate.toFixed(1)}/s, the highest of the runs at once): ` +
      `sent in ${sendSeconds.toFixed(1)} s, in the ledger after ${depositSeconds.toFixed(1)} s, all ended after ` +
      `${allSeconds.toFixed(1)} s (${(allSeconds - depositSeconds).toFixed(1)} s after the last deposit); ${JSON.stringify(states)}`);
    say(`  the deposits went into ${intake(depositIntake)}`);
    printBlocks(count, blocks);
    say('  time   sent  opened  ended  in flight  lag of the newest ended');
    let next = 0;
    for (const sample of samples) {
      if (sample.at < next && sample !== samples[samples.length - 1]) continue;
      next = sample.at + 5;
      say(`  ${sample.at.toFixed(0).padStart(4)}  ${String(sample.sent).padStart(5)}  ${String(sample.opened).padStart(6)}` +
        `  ${String(sample.ended).padStart(5)}  ${String(sample.sent - sample.ended).padStart(9)}` +
        `  ${sample.lag === undefined ? '' : `${sample.lag.toFixed(1)} s`}`);
    }
    const window = samples.filter((sample) => sample.at >= sendSeconds / 2 && sample.at <= sendSeconds && sample.lag !== undefined);
    if (window.length < 3) return;
    const at = (sample) => sample.at;
    const sentRate = slope(window, at, (sample) => sample.sent);
    const endedRate = slope(window, at, (sample) => sample.ended);
    const lagRate = slope(window, at, (sample) => sample.lag);
    const lags = window.map((sample) => sample.lag).sort((a, b) => a - b);
    say(`  from ${window[0].at.toFixed(0)} s to ${window[window.length - 1].at.toFixed(0)} s: sent ${sentRate.toFixed(1)}/s, ` +
      `ended ${endedRate.toFixed(1)}/s (${(endedRate / sentRate).toFixed(2)} of the sending rate, ` +
      `${(endedRate / plainRate).toFixed(3)} of the slower plain rate); lag ${lags[0].toFixed(1)}-${lags[lags.length - 1].toFixed(1)} s, ` +
      `${lagRate >= 0 ? 'growing' : 'shrinking'} by ${Math.abs(lagRate).toFixed(2)} s a second`);
  }
  // Each sustained run has a sender of its own: Charlie's 100,000 LNK go to the runs at once.
  const keyring = new Keyring({ type: 'sr25519' });
  const senders = SUSTAINED_SENDERS.map((uri) => keyring.addFromUri(uri));
  for (const [i, fraction] of SUSTAINED_FRACTIONS.entries()) {
    reportSustained(await sustained(senders[i], fraction * plainRate, SUSTAINED_SECONDS));
  }

  say('');
  say(`JSON-RPC calls by the workers (idle: ${idlePerBlock[0].toFixed(1)} to the ledger and ${idlePerBlock[1].toFixed(1)} ` +
    'to anvil per connection-chain block):');
  for (const row of latencyRows) {
    for (const [i, name] of ['ledger', 'anvil'].entries()) {
      const sum = total(row.calls[i]);
      const beyondIdle = sum - idlePerBlock[i] * row.blocks;
      const methods = [...row.calls[i]].filter(([, n]) => n > 0).map(([m, n]) => `${m} ${n}`).join(', ');
      say(`  ${row.direction}, ${name}: ${sum} calls over ${row.blocks} blocks, ${(sum / row.n).toFixed(1)} per transfer ` +
        `(${(beyondIdle / row.n).toFixed(1)} beyond idle polling): ${methods}`);
    }
    const halves = row.marks.slice(1).map((mark, k) => {
      const from = row.marks[k];
      const per = (i) => (total(delta(mark.calls[i], from.calls[i])) / (mark.transfers - from.transfers)).toFixed(1);
      return `transfers ${from.transfers + 1}-${mark.transfers} (ledger #${from.heights[0]}-#${mark.heights[0]}, ` +
        `anvil #${from.heights[1]}-#${mark.heights[1]}): ${per(0)} to the ledger, ${per(1)} to anvil`;
    });
    say(`  ${row.direction}, calls per transfer as the chains grow: ${halves.join('; ')}`);
  }
} finally {
  await ledgerSubmitter?.disconnect();
  await exchange.disconnect();
  await network.stop();
  await Promise.all(Object.values(proxies).map((proxy) => proxy.close()));
}

// What the bench reads of the chains: where its transfers are, what each connection-chain block
// carried, and how the linked ledger took a run's transactions.

import { hexToU8a } from '@polkadot/util';
import { jsonRpc } from '../../tests/lib/node-process.mjs';
import { quantile } from './figures.mjs';

/** How many of `records` (optional transfer records) are in each state. */
export function countStates(records) {
  const states = {};
  for (const record of records) {
    if (record.isNone) continue;
    const state = record.unwrap().state.type;
    states[state] = (states[state] ?? 0) + 1;
  }
  return states;
}
export const IN_FLIGHT = ['AwaitingDeposit', 'PayingOut', 'Settling', 'Refunding'];
/**
 * How many transfers the connection chain at `url` opened from id `firstId` on, at block `at`
 * (the best block if `at` is undefined).
 */
export async function openedSince(api, url, firstId, at) {
  const nextId = await jsonRpc(url, 'state_getStorage', [api.query.connectionChain.nextTransferId.key(), at]);
  return (nextId ? api.createType('u64', hexToU8a(nextId)).toNumber() : 0) - firstId;
}
/**
 * The transfers from id `firstId` on at block `at` of the connection chain at `url` (the best
 * block if `at` is undefined): how many were opened, how many are in each state still in flight
 * (from the state index), and how many ended. Only the bench opens transfers. The index's keys
 * are counted as raw JSON-RPC answers, without decoding them (as many as transfers in flight,
 * for every block of a profile). While transfers are under way the bench asks `progressAt` instead.
 */
export async function statesAt(api, url, firstId, at) {
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
 * next to nothing: counting the state index's keys (`statesAt`) returns a key per transfer in
 * flight, which the node must read and this thread parse.
 */
export async function progressAt(api, url, firstId, operator) {
  const [opened, info] = await Promise.all([
    openedSince(api, url, firstId),
    jsonRpc(url, 'state_getStorage', [api.query.connectionChain.operators.key(operator)]),
  ]);
  const infoType = api.registry.createLookupType(api.query.connectionChain.operators.creator.meta.type.asMap.value);
  const inFlight = info ? api.createType(infoType, hexToU8a(info)).openTransfers.toNumber() : 0;
  return { opened, inFlight, ended: opened - inFlight };
}
/** `states` without its totals, for printing. */
export const shown = ({ opened, inFlight, ...states }) => JSON.stringify(states);


/**
 * What each block from `from` to `to` of the connection chain (`api`, its JSON-RPC at `ccUrl`)
 * carried (requests, reports and the observations in them by kind, other signed extrinsics;
 * weight of those extrinsics and the share of the normal class used; encoded length) and the
 * states of the transfers from `firstId` on after it.
 */
export async function profileBlocks(api, ccUrl, from, to, firstId) {
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
export async function ledgerIntake(api, signer, from) {
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
export const intake = ({ blocks, first, last, seconds: span, most, median }) =>
  `${blocks} ledger blocks (#${first}-#${last}, ${span.toFixed(0)} s apart), at most ${most} and a median ${median} in a block that has any`;

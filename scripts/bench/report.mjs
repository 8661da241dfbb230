// What the bench prints: latency, throughput and sustained runs, the block profile, and the
// workers' JSON-RPC calls.

import { intake, shown } from './chain-state.mjs';
import { delta, quantile, say, seconds, slope, total } from './figures.mjs';

/** Prints `profileBlocks`' rows for `count` transfers; returns the first block's time. */
export function printBlocks(count, blocks) {
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
export function reportThroughput({ count, states, blocks, crossSeconds, ledgerSeconds, anvilSeconds, depositSeconds, depositIntake, plainIntake }, presigned) {
  const crossRate = count / crossSeconds;
  const slower = Math.min(count / ledgerSeconds, count / anvilSeconds);
  say('');
  say(`Throughput, ${count} transfers submitted at once (ledger → anvil, each opened by its deposit): all ended in ${crossSeconds.toFixed(1)} s ` +
    `(deposits ${presigned ? 'signed beforehand; sent and' : 'signed, sent and'} in the ledger in ${depositSeconds.toFixed(1)} s): ` +
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

/** Prints the latency runs (`latencyRows`) and the linked ledger's finality lag (`ledgerLag`, ms). */
export function reportLatency(sequential, latencyRows, ledgerLag) {
  say('');
  say(`Latency, request to completed, ${sequential} sequential transfers each way (seconds):`);
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
}

/**
 * Prints a sustained run: its progress every 5 s and, over the second half of the sending
 * (the first is for the pipeline to fill: one transfer's latency), the rates the
 * transfers were sent and ended at (least-squares slopes over the samples: transfers end a
 * block's worth at a time) and how the lag of the newest ended transfer moved.
 */
export function reportSustained({ rate, seconds, count, samples, sendSeconds, depositSeconds, allSeconds, states, blocks, depositIntake }, plainRate) {
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

/** Prints the workers' JSON-RPC calls during the latency runs, beyond what they make idle. */
export function reportCalls(idlePerBlock, latencyRows) {
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
}

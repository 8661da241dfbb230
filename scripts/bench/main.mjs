// Measures the exchange on the local three-chain network (run by scripts/bench.sh): latency of
// sequential transfers each way against the floor the chains' block times and confirmations
// set, split by step; throughput of transfers submitted at once against plain transfers on both
// linked chains submitted the same way; the rate the exchange keeps up with under a sustained
// load, offered as a fraction of that plain rate; and the JSON-RPC calls the connection node's
// workers make during the latency transfers, counted by a proxy between the node and each
// linked chain. (How many requests and reports fit in a block: runtime/tests/block_capacity.rs.)
//
// Usage: node scripts/bench/main.mjs [--sequential N] [--throughput M[,M2…]] [--presigned]
//                                    [--sustained F[,F2,F3]] [--sustained-seconds S]
//   (defaults: 50 each way; 1,000, 10,000 and 20,000 at once; 0.5 and 0.6 for 150 s). With
//   --presigned every transaction of a throughput run is signed before its clock starts, so the
//   rates are the chains' own and not this one-thread client's signing pace (the same for the
//   cross-chain deposits and the plain transfers). A sustained run offers deposits at F times
//   the slower plain rate of the runs at once (the highest of them) for S seconds.

import { setTimeout as sleep } from 'node:timers/promises';
import { Keyring, WsProvider } from '@polkadot/api';
import { stringToHex } from '@polkadot/util';
import { ANVIL_CHAIN, LEDGER_CHAIN, startNetwork } from '../../tests/lib/network.mjs';
import { Exchange, LNK } from '../../tests/lib/exchange.mjs';
import { jsonRpc } from '../../tests/lib/node-process.mjs';
import { countingProxy } from '../../tests/lib/rpc-proxy.mjs';
import { total } from './figures.mjs';
import { blockSeconds, measureLatency } from './latency.mjs';
import { SUSTAINED_SENDERS, benchOptions } from './options.mjs';
import { reportCalls, reportLatency, reportSustained, reportThroughput } from './report.mjs';
import { sustained, throughput } from './runs.mjs';

/** Starts the network, its linked chains behind counting proxies, sized for `options`' runs. */
async function startBench(options) {
  let network;
  const proxies = {
    [LEDGER_CHAIN]: await countingProxy(24060, () => network.ledger.httpUrl),
    [ANVIL_CHAIN]: await countingProxy(24061, () => network.anvil.url),
  };
  network = await startNetwork({
    name: 'bench',
    base: 24000,
    linkedEndpoint: (_, chain) => proxies[chain].url,
    // Room for the largest count at once: the default pool takes 8,192 ready transactions and a
    // tenth as many future ones, and the transactions sent at once reach the node in any order,
    // so up to all of them may wait for a nonce before them.
    nodeArgs: ['--pool-limit', String(10 * Math.max(8192, ...options.atOnceCounts)), '--pool-kbytes', '2000000'],
  });
  const exchange = await Exchange.connect(network);
  // Each at-once transfer of 2 LNK pays out about 0.002 ETH. A sustained run offers at most a
  // fraction of a plain rate below 1,500/s (and pays 1 LNK: counted here as 2, with room).
  const transfers = options.atOnceCounts.reduce((sum, n) => sum + n, 0) +
    Math.ceil(options.sustainedFractions.reduce((sum, fraction) => sum + fraction, 0) * 1500 * options.sustainedSeconds);
  const anvilLiquidity = 10n ** 18n + BigInt(transfers) * 2n * 10n ** 15n;
  await exchange.setUp({ liquidity: { ledger: 10_000n * LNK, anvil: anvilLiquidity } });
  return { network, proxies, exchange };
}

/**
 * Points the workers at the linked chains directly, through the endpoint RPC a validator would
 * use: relayed, their calls (whole ledger blocks of thousands of deposits) would take this
 * process's one thread from the signing. The proxies keep the latency runs' counts.
 */
async function bypassProxies({ network, proxies, exchange }) {
  for (const [chain, url] of [[LEDGER_CHAIN, network.ledger.httpUrl], [ANVIL_CHAIN, network.anvil.url]]) {
    await jsonRpc(network.cc.httpUrl, 'offchain_localStorageSet',
      ['PERSISTENT', stringToHex(`connection-chain/endpoint/${chain}`), stringToHex(url)]);
  }
  const relayed = () => total(proxies[LEDGER_CHAIN].counts()) + total(proxies[ANVIL_CHAIN].counts());
  const ccBlock = await blockSeconds(exchange.cc);
  // A run under way may finish its pass on the old endpoint: that run is over within a block.
  await sleep(ccBlock * 1000);
  const relayedBefore = relayed();
  await sleep(2 * ccBlock * 1000);
  if (relayed() !== relayedBefore) throw new Error('the workers still call the linked chains through the proxies');
}

async function main() {
  const options = benchOptions(process.argv.slice(2));
  const bench = await startBench(options);
  const { network, proxies, exchange } = bench;
  // The transactions of a throughput run go to the ledger as raw JSON-RPC on a connection of
  // their own: handing them to polkadot.js's `author.submitExtrinsic` decodes each again.
  const ledgerSubmitter = new WsProvider(network.ledger.wsUrl);
  try {
    const latency = await measureLatency(bench, options.sequential);
    reportLatency(options.sequential, latency.latencyRows, latency.ledgerLag);

    await bypassProxies(bench);
    await ledgerSubmitter.isReady;
    const ctx = { network, exchange, ledgerSubmitter, presigned: options.presigned };
    // Each run is printed when done, so a later, larger run that fails leaves its figures.
    let plainRate = 0;
    for (const count of options.atOnceCounts) {
      const run = await throughput(ctx, count);
      reportThroughput(run, options.presigned);
      plainRate = Math.max(plainRate, Math.min(count / run.ledgerSeconds, count / run.anvilSeconds));
    }
    // Each sustained run has a sender of its own: Charlie's 100,000 LNK go to the runs at once.
    const keyring = new Keyring({ type: 'sr25519' });
    for (const [i, fraction] of options.sustainedFractions.entries()) {
      const sender = keyring.addFromUri(SUSTAINED_SENDERS[i]);
      reportSustained(await sustained(ctx, sender, fraction * plainRate, options.sustainedSeconds), plainRate);
    }
    reportCalls(latency.idlePerBlock, latency.latencyRows);
  } finally {
    await ledgerSubmitter.disconnect();
    await exchange.disconnect();
    await network.stop();
    await Promise.all(Object.values(proxies).map((proxy) => proxy.close()));
  }
}

await main();

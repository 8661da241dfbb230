// The throughput runs: transfers opened by their deposits, submitted at once against as many
// plain transfers on each linked chain, or offered at a steady rate (sustained). `ctx` is the
// bench's network: `{ network, exchange, ledgerSubmitter, presigned }`.

import { setTimeout as sleep } from 'node:timers/promises';
import { u8aToHex } from '@polkadot/util';
import { LNK, depositMemo } from '../../tests/lib/exchange.mjs';
import { jsonRpc, waitFor } from '../../tests/lib/node-process.mjs';
import { countStates, ledgerIntake, profileBlocks, progressAt, shown, statesAt } from './chain-state.mjs';

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
export async function prepareAll({ presigned }, count, sign, send) {
  if (!presigned) return () => signAndSendAll(count, sign, send);
  const signed = [];
  for (let i = 0; i < count; i++) signed.push(await sign(i));
  return async () => {
    for (let i = 0; i < count; i += SEND_CHUNK) await Promise.all(signed.slice(i, i + SEND_CHUNK).map(send));
  };
}

/**
 * `count` signatures of the ledger call `call` from `signer` with consecutive nonces, to be
 * sent all at once through `ledgerSubmitter` (`prepareAll`): `{ sendAll, nextNonce }`. The
 * call is built once and each signature encoded as soon as it is made (the next one
 * overwrites it): building each transaction anew would take this one-thread client a good part
 * of its time per transaction, while the chains wait.
 */
export async function prepareForLedger(ctx, signer, call, count) {
  const { ledgerSubmitter, exchange: { ledger } } = ctx;
  const first = (await ledger.rpc.system.accountNextIndex(signer.address)).toNumber();
  const sendAll = await prepareAll(ctx, count, async (i) => (await call.signAsync(signer, { nonce: first + i, era: 0 })).toHex(),
    (hex) => ledgerSubmitter.send('author_submitExtrinsic', [hex]));
  return { sendAll, nextNonce: first + count };
}
export const untilNonce = (api, who, nonce) => waitFor(`${who}'s nonce ${nonce}`,
  async () => (await api.query.system.account(who)).nonce.toNumber() >= nonce, { timeoutMs: 10 * 60_000, intervalMs: 200 });


/**
 * Resolves once the `count` transfers from id `firstId` on were all opened and ended. One that
 * stays in flight for good (a lost report, a missed outcome) fails the run (`what`) once no
 * transfer has opened or ended for STALL_MS.
 */
export async function untilEnded({ network, exchange }, what, count, firstId) {
  const { cc, bob } = exchange;
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
export const runStart = async ({ exchange: { cc, ledger } }) => ({
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
export async function runRecord({ network, exchange: { cc, ledger } }, from, count, sender) {
  const depositIntake = await ledgerIntake(ledger, sender.address, from.depositsFrom);
  const ids = [...Array(count).keys()].map((i) => from.firstId + i);
  const states = countStates(await cc.query.connectionChain.transfers.multi(ids));
  const to = (await cc.query.system.number()).toNumber();
  return { depositIntake, states, blocks: await profileBlocks(cc, network.cc.httpUrl, from.fromBlock, to, from.firstId) };
}


// Each transfer of a throughput run is one ledger transaction, as a plain transfer is: a
// deposit whose memo opens it (rule, recipient; no request on the connection chain).
const openingDeposit = ({ exchange }, amount) => exchange.ledgerDeposit(amount,
  depositMemo({ newTransfer: { rule: exchange.ledgerToAnvil, recipient: exchange.userEvm.address } }));

export async function throughput(ctx, count) {
  const { network, exchange } = ctx;
  const { ledger, charlie, bob } = exchange;
  const deposits = await prepareForLedger(ctx, charlie, openingDeposit(ctx, 2n * LNK), count);
  const from = await runStart(ctx);
  const start = Date.now();
  await deposits.sendAll();
  await untilNonce(ledger, charlie.address, deposits.nextNonce);
  const deposited = Date.now();
  await untilEnded(ctx, `${count} at once`, count, from.firstId);
  const crossSeconds = (Date.now() - start) / 1000;
  const { depositIntake, states, blocks } = await runRecord(ctx, from, count, charlie);

  // Plain transfers on each linked chain, submitted the same way.
  const plain = await prepareForLedger(ctx, bob, ledger.tx.balances.transferKeepAlive(exchange.alice.address, LNK), count);
  const plainFrom = (await ledger.query.system.number()).toNumber() + 1;
  const ledgerStart = Date.now();
  await plain.sendAll();
  await untilNonce(ledger, bob.address, plain.nextNonce);
  const ledgerSeconds = (Date.now() - ledgerStart) / 1000;
  const plainIntake = await ledgerIntake(ledger, bob.address, plainFrom);
  const wallet = exchange.operatorEvm;
  const anvilNonce = BigInt(await jsonRpc(network.anvil.url, 'eth_getTransactionCount', [wallet.address, 'pending']));
  const gasPrice = 2n * BigInt(await jsonRpc(network.anvil.url, 'eth_gasPrice'));
  const payments = await prepareAll(ctx, count,
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

/**
 * Deposits opening transfers (as in `throughput`) offered at `rate` per second for `seconds`,
 * each signed and sent when it falls due. A burst at once measures how fast a backlog clears,
 * one transfer's latency included; this measures what the exchange keeps up with. While it
 * keeps up, transfers complete as fast as they are offered and those in flight level off at
 * about the rate times one transfer's latency; past its rate, they grow for as long as the
 * load lasts. Its progress is sampled every second.
 */
export async function sustained(ctx, sender, rate, seconds) {
  const { network, exchange, ledgerSubmitter } = ctx;
  const { cc, ledger, bob } = exchange;
  const count = Math.round(rate * seconds);
  // The rule's least amount: a dev account's 100,000 LNK pay for tens of thousands.
  const deposit = openingDeposit(ctx, LNK);
  const cost = BigInt(count) * (LNK + (await deposit.paymentInfo(sender)).partialFee.toBigInt());
  const free = (await ledger.query.system.account(sender.address)).data.free.toBigInt();
  if (cost >= free) {
    throw new Error(`${count} deposits of 1 LNK and their fees would cost ${sender.address} ${cost} planck; it holds ${free}`);
  }
  const firstNonce = (await ledger.rpc.system.accountNextIndex(sender.address)).toNumber();
  const from = await runStart(ctx);
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
  await untilEnded(ctx, `${rate.toFixed(0)} per second for ${seconds} s`, count, from.firstId);
  const allSeconds = elapsed();
  // Transfers open in the order of their deposits' nonces and, on the whole, end in that
  // order: the sample's `ended`-th transfer, sent at `sentAt[ended - 1]`, is about the newest
  // to have ended, and `lag` about the time it took.
  for (const sample of samples) sample.lag = sample.ended > 0 ? sample.at - sentAt[sample.ended - 1] : undefined;
  return { rate, seconds, count, samples, sendSeconds, depositSeconds, allSeconds, ...await runRecord(ctx, from, count, sender) };
}

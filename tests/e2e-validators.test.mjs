// End to end with three connection-chain validators (Alice, Bob, Charlie on the `local` preset,
// threshold 2). Charlie's node is pointed at a forged EVM chain, so its reports about the EVM
// chain are false: alone, they change nothing. Then Charlie's node is killed, and transfers
// still settle on the reports of the other two.

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';
import { ANVIL_CHAIN, startNetwork } from './lib/network.mjs';
import { Exchange, LNK, USER_EVM_SECRET, assertSettled, depositMemo } from './lib/exchange.mjs';
import { EvmWallet } from './lib/evm.mjs';
import { startAnvil, waitFor } from './lib/node-process.mjs';
import { submit } from './lib/tx.mjs';

const CHARLIE = 2; // Charlie's authority index in the local preset

describe('three validators with threshold 2', () => {
  let forged;
  let network;
  let exchange;

  before(async () => {
    forged = await startAnvil({ name: 'forged-anvil', port: 23050 });
    network = await startNetwork({
      name: 'validators',
      base: 23000,
      validators: 3,
      linkedEndpoint: (i, chain) => (i === CHARLIE && chain === ANVIL_CHAIN ? forged.url : undefined),
    });
    exchange = await Exchange.connect(network);
    assert.equal((await exchange.cc.query.connectionChain.threshold()).toNumber(), 2);
    await exchange.setUp();
  });

  afterEach(() => assertSettled(exchange));

  after(async () => {
    await exchange?.disconnect();
    await network?.stop();
    await forged?.stop();
  });

  it('7a. one validator\'s false report changes nothing', async () => {
    const { cc } = exchange;
    const amount = 2n * 10n ** 16n;
    const charlie = u8aToHex(exchange.charlie.publicKey);
    const user = exchange.userEvm.address;
    const ledgerBefore = (await cc.query.connectionChain.vaultLedgers(ANVIL_CHAIN)).toJSON();
    const id = await exchange.request(exchange.anvilToLedger, amount, user, charlie, { reference: 'e2e-7a' });
    // The deposit exists only on the forged chain, which only Charlie's node watches.
    const forgedUser = new EvmWallet(forged.url, USER_EVM_SECRET);
    const receipt = await forgedUser.send(exchange.evmVault, amount, depositMemo({ transfer: id }));
    // A report carries a list of observations: the one expected, as the chain encodes it.
    const [observation] = cc.createType(cc.tx.connectionChain.report.meta.args[0].type.toString(), [{
      Deposit: {
        chain: ANVIL_CHAIN,
        tx: { hash: receipt.transactionHash, block: { number: receipt.blockNumber, hash: receipt.blockHash } },
        from: { Evm: user },
        amount,
        reference: { Transfer: id },
      },
    }]);
    const hash = blake2AsHex(observation.toU8a());
    await waitFor('Charlie\'s report of the forged deposit', async () =>
      (await cc.query.connectionChain.votes(hash, CHARLIE)).isSome, { timeoutMs: 90_000, intervalMs: 1000 });
    // Three more blocks: still one vote, and the transfer still waits for a real deposit.
    const now = (await cc.query.system.number()).toNumber();
    await waitFor('three more blocks', async () => (await cc.query.system.number()).toNumber() >= now + 3,
      { timeoutMs: 60_000, intervalMs: 1000 });
    assert.equal((await cc.query.connectionChain.voteCount(hash)).toNumber(), 1);
    const record = await exchange.transfer(id);
    assert.equal(record.state.type, 'AwaitingDeposit');
    assert.equal(record.hold.type, 'AwaitingDeposit');
    assert.deepEqual((await cc.query.connectionChain.vaultLedgers(ANVIL_CHAIN)).toJSON(), ledgerBefore,
      'the anvil vault ledger did not move');
    await submit(cc, cc.tx.connectionChain.cancelTransfer(id), exchange.charlie);
    assert.equal((await exchange.transfer(id)).state.type, 'Cancelled');
  });

  it('7b. with one validator killed, transfers still settle', async () => {
    await network.validators[CHARLIE].kill('SIGKILL');
    const { record, before, after } = await exchange.exchange({ direction: 'ledger-to-anvil', amount: 50n * LNK, reference: 'e2e-7b' });
    assert.equal(record.state.type, 'Completed');
    assert.equal(after['anvil: user'] - before['anvil: user'], record.destination.amount.toBigInt());
    assert.equal(after['ledger: Bob (operator)'] - before['ledger: Bob (operator)'], 50n * LNK);
  });
});

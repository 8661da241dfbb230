// End to end with processes stopped in the middle of a transfer: the EVM chain (anvil, which
// keeps its chain in a state file across the restart) and the connection node (killed, and
// restarted on the same base path). Each transfer ends, and nothing is lost or paid twice.

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { u8aToHex } from '@polkadot/util';
import { ANVIL_CHAIN, LEDGER_CHAIN, startNetwork } from './lib/network.mjs';
import { Exchange, LNK, assertSettled, depositMemo } from './lib/exchange.mjs';
import { vaultNonce } from './lib/evm.mjs';
import { waitFor } from './lib/node-process.mjs';

describe('processes stopped mid-transfer', () => {
  let network;
  let exchange;

  before(async () => {
    network = await startNetwork({ name: 'restarts', base: 22000, keepAnvilState: true });
    exchange = await Exchange.connect(network);
    await exchange.setUp();
  });

  afterEach(async () => {
    await assertSettled(exchange);
    // Exactly once: every vault transaction on each chain is one of the pallet's instructions.
    const { cc } = exchange;
    const ledgerNonce = (await exchange.ledger.query.system.account(exchange.ledgerVaultAddress)).nonce.toNumber();
    const anvilNonce = Number(await vaultNonce(network.anvil.url, exchange.evmVault));
    assert.equal(ledgerNonce, (await cc.query.connectionChain.nextVaultNonce(LEDGER_CHAIN)).toNumber(), 'ledger vault transactions = instructions');
    assert.equal(anvilNonce, (await cc.query.connectionChain.nextVaultNonce(ANVIL_CHAIN)).toNumber(), 'anvil vault batches = batches made');
  });

  after(async () => {
    await exchange?.disconnect();
    await network?.stop();
  });

  /** Waits until the transfer's deposit is held (the payout is due from now on). */
  const depositHeld = (id) => waitFor(`transfer ${id} deposit`, async () =>
    (await exchange.transfer(id)).state.type === 'PayingOut', { timeoutMs: 60_000, intervalMs: 500 });

  it('5. anvil stopped while the payout is due and restarted: the transfer ends, paid once', async () => {
    const charlie = u8aToHex(exchange.charlie.publicKey);
    const before = await exchange.balances();
    const id = await exchange.request(exchange.ledgerToAnvil, 20n * LNK, charlie, exchange.userEvm.address, { reference: 'e2e-5' });
    await exchange.depositOnLedger(exchange.charlie, 20n * LNK, depositMemo({ transfer: id }));
    await depositHeld(id);
    await network.anvil.kill('SIGTERM'); // anvil writes its state file on the way out
    await sleep(10_000); // the workers fail to reach it and back off
    await network.anvil.restart();
    const record = await exchange.waitForEnd(id);
    const after = await exchange.balances();
    const paid = after['anvil: user'] - before['anvil: user'];
    if (record.state.type === 'Completed') {
      assert.equal(paid, record.destination.amount.toBigInt(), 'the user was paid exactly once');
    } else {
      assert.equal(record.state.type, 'Refunded');
      assert.equal(paid, 0n, 'a refunded transfer paid nothing');
    }
  });

  it('6. the connection node killed mid-transfer and restarted on its base path: it resumes, no double payout', async () => {
    const charlie = u8aToHex(exchange.charlie.publicKey);
    const before = await exchange.balances();
    const amount = 3n * 10n ** 16n;
    const id = await exchange.request(exchange.anvilToLedger, amount, exchange.userEvm.address, charlie, { reference: 'e2e-6' });
    await exchange.userEvm.deposit(exchange.evmVault, amount, depositMemo({ transfer: id }));
    await depositHeld(id);
    await network.cc.kill('SIGKILL');
    await sleep(5_000); // the linked chains go on without it
    await network.cc.restart();
    const record = await exchange.waitForEnd(id);
    assert.equal(record.state.type, 'Completed');
    const after = await exchange.balances();
    assert.equal(after['ledger: Charlie (user)'] - before['ledger: Charlie (user)'], record.destination.amount.toBigInt(),
      'Charlie was paid exactly once');
    assert.equal(after['anvil: operator'] - before['anvil: operator'], amount, 'the operator was settled exactly once');
  });
});

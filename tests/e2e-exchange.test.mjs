// End to end on the three real chains (anvil, the linked ledger, the connection chain --dev),
// driven with @polkadot/api and Ethereum JSON-RPC: exchanges each way, a failing payout, an
// expiry, bad input, and payouts due together. After every test, every transfer is in a
// terminal state and each vault's balance equals the pallet's ledger.

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { u8aToHex } from '@polkadot/util';
import { keccakAsHex } from '@polkadot/util-crypto';
import { ANVIL_CHAIN, LEDGER_CHAIN, startNetwork } from './lib/network.mjs';
import { ETH, Exchange, LNK, USER_EVM_SECRET, assertSettled, depositMemo } from './lib/exchange.mjs';
import { Interface } from 'ethers';
import { contracts, deployContract } from './lib/contracts.mjs';
import { EvmWallet, ethBalance } from './lib/evm.mjs';
import { jsonRpc, waitFor } from './lib/node-process.mjs';
import { submit } from './lib/tx.mjs';

/** The kinds and results of a trail, e.g. ['Request:Succeeded', 'Deposit:Succeeded']. */
const steps = (record) => record.trail.map((step) => `${step.kind.type}:${step.result.type}`);

describe('exchanges on the three real chains', () => {
  let network;
  let exchange;

  before(async () => {
    network = await startNetwork({
      name: 'e2e',
      base: 21000,
    });
    exchange = await Exchange.connect(network);
    await exchange.setUp();
  });

  afterEach(() => assertSettled(exchange));

  after(async () => {
    await exchange?.disconnect();
    await network?.stop();
  });

  /** Every step with a transaction is found on its chain, in the block the trail records. */
  async function assertTrailOnChains(record) {
    for (const step of record.trail.filter((step) => step.txHash.isSome)) {
      const block = step.block.unwrap().number.toNumber();
      assert.equal(await exchange.findOnChain(step), block,
        `${step.kind.type} tx ${step.txHash.unwrap().toHex()} is in block ${block} of chain ${step.chain.unwrap()}`);
    }
  }

  it('1. linked ledger → anvil: completes, with deposit, payout and settlement found on their chains', async () => {
    const { record, before, after } = await exchange.exchange({ direction: 'ledger-to-anvil', amount: 100n * LNK, reference: 'e2e-1' });
    assert.equal(record.state.type, 'Completed');
    assert.deepEqual(steps(record), ['Request:Succeeded', 'Deposit:Succeeded', 'Payout:Succeeded', 'Settlement:Succeeded']);
    await assertTrailOnChains(record);
    const paidOut = record.destination.amount.toBigInt();
    assert.equal(paidOut, 99_490_000_000_000_000n, '100 LNK at 0.001 ETH less 0.01 LNK + 0.5 %');
    assert.equal(after['anvil: user'] - before['anvil: user'], paidOut);
    assert.equal(after['ledger: Bob (operator)'] - before['ledger: Bob (operator)'], 100n * LNK);
    const userPaid = before['ledger: Charlie (user)'] - after['ledger: Charlie (user)'];
    assert.ok(userPaid > 100n * LNK && userPaid < 100n * LNK + LNK / 100n, `Charlie paid 100 LNK and a fee: ${userPaid}`);
    assert.equal(before['anvil: vault'] - after['anvil: vault'], paidOut, 'the vault contract paid the payout; a signer paid the gas');
  });

  it('2. anvil → linked ledger: completes, with deposit, payout and settlement found on their chains', async () => {
    const amount = 5n * 10n ** 16n;
    const { record, before, after } = await exchange.exchange({ direction: 'anvil-to-ledger', amount, reference: 'e2e-2' });
    assert.equal(record.state.type, 'Completed');
    assert.deepEqual(steps(record), ['Request:Succeeded', 'Deposit:Succeeded', 'Payout:Succeeded', 'Settlement:Succeeded']);
    await assertTrailOnChains(record);
    const paidOut = record.destination.amount.toBigInt();
    assert.equal(paidOut, 49_740_000_000_000n, '0.05 ETH at 1 planck per 1,000 wei less 0.00001 ETH + 0.5 %');
    assert.equal(after['ledger: Charlie (user)'] - before['ledger: Charlie (user)'], paidOut);
    assert.equal(after['anvil: operator'] - before['anvil: operator'], amount);
    assert.ok(before['anvil: user'] - after['anvil: user'] > amount, 'the user paid the deposit and its gas');
  });

  it('3. a payout the EVM chain reverts: the deposit is refunded, the trail records the failure and the refund', async () => {
    // A recipient whose code refuses ETH: the vault's payment to it fails, the batch goes on.
    const contract = `0x${'c0de'.repeat(10)}`;
    await jsonRpc(network.anvil.url, 'anvil_setCode', [contract, '0x5f5ffd']);
    const charlie = u8aToHex(exchange.charlie.publicKey);
    const before = await exchange.balances();
    const id = await exchange.request(exchange.ledgerToAnvil, 10n * LNK, charlie, contract, { reference: 'e2e-3' });
    await exchange.depositOnLedger(exchange.charlie, 10n * LNK, depositMemo({ transfer: id }));
    const record = await exchange.waitForEnd(id);
    assert.equal(record.state.type, 'Refunded');
    assert.equal(record.hold.type, 'ReturnedToSender');
    assert.deepEqual(steps(record), ['Request:Succeeded', 'Deposit:Succeeded', 'Payout:Failed', 'Refund:Succeeded']);
    const payout = record.trail.find((step) => step.kind.isPayout);
    assert.ok(payout.result.asFailed.isReverted, `payout failed as reverted: ${payout.result.toString()}`);
    await assertTrailOnChains(record);
    const receipt = await jsonRpc(network.anvil.url, 'eth_getTransactionReceipt', [payout.txHash.unwrap().toHex()]);
    const vault = new Interface(contracts().ConnectionVault.abi);
    const paid = receipt.logs.map((log) => vault.parseLog(log)).find((log) => log?.name === 'Paid');
    assert.equal(paid.args.to.toLowerCase(), contract, 'the batch paid the contract');
    assert.equal(paid.args.success, false, 'the payment failed on anvil');
    const after = await exchange.balances();
    assert.equal(await ethBalance(network.anvil.url, contract), 0n, 'nothing reached the contract');
    // Charlie got all 10 LNK back; he is out only the fees of his two extrinsics.
    const userPaid = before['ledger: Charlie (user)'] - after['ledger: Charlie (user)'];
    assert.ok(userPaid > 0n && userPaid < LNK / 100n, `only fees: ${userPaid}`);
    assert.equal(after['ledger: Bob (operator)'], before['ledger: Bob (operator)'], 'the operator was not paid');
  });

  it('4. no deposit by the deadline: the transfer expires by itself and nothing moves', async () => {
    const { cc } = exchange;
    const defaults = (await cc.query.connectionChain.windows()).toJSON();
    await exchange.sudo(cc.tx.connectionChain.setWindows({ deposit: 10, payout: defaults.payout }));
    const before = await exchange.balances();
    const requesterBefore = (await cc.query.system.account(exchange.charlie.address)).data;
    const charlie = u8aToHex(exchange.charlie.publicKey);
    const id = await exchange.request(exchange.ledgerToAnvil, 10n * LNK, charlie, exchange.userEvm.address, { reference: 'e2e-4' });
    const held = (await cc.query.system.account(exchange.charlie.address)).data.reserved.toBigInt();
    assert.ok(held > requesterBefore.reserved.toBigInt(), 'the request deposit is held');
    const record = await exchange.waitForEnd(id, 60_000);
    await exchange.sudo(cc.tx.connectionChain.setWindows(defaults));
    assert.equal(record.state.type, 'Expired');
    assert.deepEqual(steps(record), ['Request:Succeeded', 'Expiry:Succeeded']);
    assert.deepEqual(await exchange.balances(), before, 'no balance moved on either linked chain');
    const requesterAfter = (await cc.query.system.account(exchange.charlie.address)).data;
    assert.equal(requesterAfter.reserved.toBigInt(), requesterBefore.reserved.toBigInt(), 'the request deposit is released');
  });

  it('8. bad input is refused with the named error and changes nothing', async () => {
    const { cc, bob, charlie } = exchange;
    const charlieHex = u8aToHex(charlie.publicKey);
    const user = exchange.userEvm.address;
    const rule = exchange.ledgerToAnvil;
    const snapshot = async () => JSON.stringify({
      nextTransfer: (await cc.query.connectionChain.nextTransferId()).toJSON(),
      liquidity: (await cc.query.connectionChain.operatorLiquidity(bob.address, ANVIL_CHAIN)).toJSON(),
      ledgers: [(await cc.query.connectionChain.vaultLedgers(LEDGER_CHAIN)).toJSON(), (await cc.query.connectionChain.vaultLedgers(ANVIL_CHAIN)).toJSON()],
      votes: (await cc.query.connectionChain.votes.entries()).length,
      rules: (await cc.query.connectionChain.rules.entries()).length,
      charlieReserved: (await cc.query.system.account(charlie.address)).data.reserved.toJSON(),
    });
    const refused = async (what, tx, signer, error) => {
      const before = await snapshot();
      await assert.rejects(submit(cc, tx, signer), (e) => {
        assert.equal(e.module?.name ?? e.message, error, what);
        return true;
      });
      assert.equal(await snapshot(), before, `${what}: nothing changed`);
    };
    const request = (overrides = {}) => {
      const a = { rule, amount: 10n * LNK, sender: charlieHex, recipient: user, minReceived: 0, reference: 'e2e-8', ...overrides };
      return cc.tx.connectionChain.requestTransfer(a.rule, a.amount, a.sender, a.recipient, a.minReceived, a.reference);
    };
    const terms = { rate: { numerator: 1, denominator: 1 }, fee: { fixed: 0, proportional: 0 }, minAmount: 1, maxAmount: LNK, validFrom: 0, validUntil: null };

    await refused('a rule on an unknown chain', cc.tx.connectionChain.setRule(LEDGER_CHAIN, 9, terms), bob, 'UnknownChain');
    await refused('an unknown rule', request({ rule: 99 }), charlie, 'UnknownRule');
    await refused('a zero amount', request({ amount: 0 }), charlie, 'ZeroAmount');
    await refused('an amount below the rule', request({ amount: LNK / 2n }), charlie, 'AmountTooSmall');
    await refused('an amount above the rule', request({ amount: 10_001n * LNK }), charlie, 'AmountTooLarge');
    await refused('a Substrate account as the EVM recipient', request({ recipient: charlieHex }), charlie, 'MalformedAccount');
    await refused('an EVM address as the Substrate sender', request({ sender: user }), charlie, 'MalformedAccount');
    const quote = (await cc.call.connectionChainApi.quote(rule, 10n * LNK, null)).asOk.amountOut.toBigInt();
    await refused('min_received above the quote', request({ minReceived: quote + 1n }), charlie, 'BelowMinReceived');

    // A repeated client reference (the first request is cancelled after).
    const first = await exchange.request(rule, 10n * LNK, charlieHex, user, { reference: 'e2e-8-once' });
    await refused('a repeated client reference', request({ reference: 'e2e-8-once' }), charlie, 'DuplicateClientReference');
    await submit(cc, cc.tx.connectionChain.cancelTransfer(first), charlie);

    // An expired rule: the operator makes its rule valid until two blocks from now, then
    // restores it.
    const original = (await cc.query.connectionChain.rules(rule)).unwrap().terms.toJSON();
    const now = (await cc.query.system.number()).toNumber();
    await exchange.setRule(LEDGER_CHAIN, ANVIL_CHAIN, { ...original, validUntil: now + 2 });
    await waitFor('the rule to expire', async () => (await cc.query.system.number()).toNumber() > now + 2);
    await refused('an expired rule', request(), charlie, 'RuleNotValid');
    await exchange.setRule(LEDGER_CHAIN, ANVIL_CHAIN, original);

    // A paused chain takes no requests.
    await exchange.sudo(cc.tx.connectionChain.pauseChain(ANVIL_CHAIN));
    await refused('a request to a paused chain', request(), charlie, 'ChainPaused');
    await exchange.sudo(cc.tx.connectionChain.resumeChain(ANVIL_CHAIN));

    // A report signed by a plain account is not an authority's: refused at dispatch.
    const observation = { VaultCannotPayFees: { instruction: 0 } };
    await refused('a report from a non-authority', cc.tx.connectionChain.report([observation], 0, `0x${'00'.repeat(64)}`), charlie,
      'dispatch error: BadOrigin');

    const free = (await cc.query.connectionChain.operatorLiquidity(bob.address, ANVIL_CHAIN)).free.toBigInt();
    await refused('withdrawing more than the free liquidity', cc.tx.connectionChain.withdrawLiquidity(ANVIL_CHAIN, free + 1n), bob,
      'InsufficientLiquidity');
    assert.ok(free > ETH, 'the operator still has its liquidity');
  });

  it('9. payouts due together are one batch of the vault contract, their settlements one ledger transaction, and each is paid once', async () => {
    const { cc, ledger, charlie } = exchange;
    const amounts = [11n, 12n, 13n, 14n].map((n) => n * LNK);
    const charlieHex = u8aToHex(charlie.publicKey);
    const before = await exchange.balances();
    const { events } = await submit(cc, cc.tx.utility.batchAll(amounts.map((amount, i) => cc.tx.connectionChain.requestTransfer(
      exchange.ledgerToAnvil, amount, charlieHex, exchange.userEvm.address, 0, `e2e-9-${i}`))), charlie);
    const ids = events.filter(({ event }) => cc.events.connectionChain.TransferRequested.is(event))
      .map(({ event }) => event.data.transfer.toBigInt());
    assert.equal(ids.length, amounts.length);
    // Consecutive nonces, submitted last first: none is ready before the first arrives, so the
    // four deposits land in one ledger block and their payouts fall due in one block.
    const nonce = (await ledger.rpc.system.accountNextIndex(charlie.address)).toNumber();
    const deposits = [];
    for (const [i, id] of ids.entries()) {
      deposits.push(await exchange.ledgerDeposit(amounts[i], depositMemo({ transfer: id })).signAsync(charlie, { nonce: nonce + i }));
    }
    for (const deposit of deposits.reverse()) await ledger.rpc.author.submitExtrinsic(deposit);

    const records = [];
    for (const id of ids) records.push(await exchange.waitForEnd(id));
    const stepOf = (record, kind) => record.trail.find((step) => step.kind.type === kind);
    for (const record of records) {
      assert.equal(record.state.type, 'Completed');
      await assertTrailOnChains(record);
    }
    const depositBlocks = new Set(records.map((record) => stepOf(record, 'Deposit').block.unwrap().number.toNumber()));
    assert.equal(depositBlocks.size, 1, 'the four deposits are in one ledger block');
    // Their payouts fall due in one block: one batch of the vault contract, one anvil
    // transaction that pays each of them.
    const payouts = new Set(records.map((record) => stepOf(record, 'Payout').txHash.unwrap().toHex()));
    assert.equal(payouts.size, 1, `the four payouts are one vault batch: ${[...payouts].join(', ')}`);
    const receipt = await jsonRpc(network.anvil.url, 'eth_getTransactionReceipt', [[...payouts][0]]);
    const vault = new Interface(contracts().ConnectionVault.abi);
    const paid = receipt.logs.map((log) => vault.parseLog(log)).filter((log) => log?.name === 'Paid');
    assert.deepEqual(paid.map((log) => log.args.amount), records.map((record) => record.destination.amount.toBigInt()),
      'the batch paid each payout once, in the order of the transfers');
    const submitted = await jsonRpc(network.anvil.url, 'eth_getTransactionByHash', [[...payouts][0]]);
    assert.equal(submitted.to, exchange.evmVault, 'the batch is a call of the vault contract');
    assert.ok(exchange.signers.some(({ address }) => address === submitted.from), 'a validator\'s signer submitted it');

    // The deposits confirmed to Bob in one connection-chain block settle in one ledger
    // transaction that pays him their sum; each trail keeps its own deposit as the step's amount.
    const batches = new Map();
    for (const [i, record] of records.entries()) {
      const settlement = stepOf(record, 'Settlement');
      assert.equal(settlement.amount.toBigInt(), amounts[i], 'the settlement step carries its own deposit');
      const block = settlement.requested.block.toNumber();
      const batch = batches.get(block) ?? { steps: [], sum: 0n };
      batch.steps.push(settlement);
      batch.sum += amounts[i];
      batches.set(block, batch);
    }
    const settlementTxs = new Set();
    for (const { steps: batch, sum } of batches.values()) {
      const txs = new Set(batch.map((step) => step.txHash.unwrap().toHex()));
      assert.equal(txs.size, 1, `the ${batch.length} settlements confirmed in one block share one transaction`);
      const [tx] = txs;
      settlementTxs.add(tx);
      const blockHash = await ledger.rpc.chain.getBlockHash(batch[0].block.unwrap().number.toNumber());
      const xt = (await ledger.rpc.chain.getBlock(blockHash)).block.extrinsics.find((xt) => xt.hash.toHex() === tx);
      assert.equal(`${xt.method.section}.${xt.method.method}`, 'balances.transferKeepAlive');
      assert.equal(xt.method.args[0].toString(), ledger.createType('AccountId', exchange.bob.publicKey).toString(), 'the settlement pays Bob');
      assert.equal(xt.method.args[1].toBigInt(), sum, 'the settlement pays the sum of its transfers\' deposits');
    }
    assert.equal(settlementTxs.size, batches.size, 'each block\'s settlement is a transaction of its own');
    console.log(`four settlements in ${settlementTxs.size} ledger transaction(s)`);

    const after = await exchange.balances();
    const paidOut = records.reduce((sum, record) => sum + record.destination.amount.toBigInt(), 0n);
    assert.equal(after['anvil: user'] - before['anvil: user'], paidOut, 'the user got each payout once');
    assert.equal(after['ledger: Bob (operator)'] - before['ledger: Bob (operator)'], amounts.reduce((sum, amount) => sum + amount),
      'the operator got each settlement once');
  });
  it('10. a transfer opened by its deposit alone, with no request: completes each way; one asking more than the rule gives is returned', async () => {
    const { cc } = exchange;
    // The memo the tests write by hand is what the runtime's own type encodes.
    const referenceType = cc.registry.createLookupType(cc.query.connectionChain.seenDeposits.creator.meta.type.asMap.value);
    const newTransfer = { rule: exchange.ledgerToAnvil, recipient: exchange.userEvm.address, minReceived: 5n };
    assert.equal(u8aToHex(depositMemo({ newTransfer }).slice(4)),
      cc.createType(referenceType, { NewTransfer: { ...newTransfer, recipient: { Evm: newTransfer.recipient } } }).toHex());

    const opened = await exchange.exchangeByDeposit({ direction: 'ledger-to-anvil', amount: 100n * LNK, minReceived: 99_490_000_000_000_000n });
    assert.ok(opened.opened, 'the deposit opened a transfer');
    assert.equal(opened.record.state.type, 'Completed');
    assert.ok(opened.record.requester.isNone, 'no requester');
    assert.deepEqual(steps(opened.record), ['Deposit:Succeeded', 'Payout:Succeeded', 'Settlement:Succeeded']);
    await assertTrailOnChains(opened.record);
    const paidOut = opened.record.destination.amount.toBigInt();
    assert.equal(paidOut, 99_490_000_000_000_000n, 'priced as a request of 100 LNK');
    assert.equal(opened.after['anvil: user'] - opened.before['anvil: user'], paidOut);
    assert.equal(opened.after['ledger: Bob (operator)'] - opened.before['ledger: Bob (operator)'], 100n * LNK);

    const back = await exchange.exchangeByDeposit({ direction: 'anvil-to-ledger', amount: 5n * 10n ** 16n });
    assert.equal(back.record.state.type, 'Completed');
    assert.deepEqual(steps(back.record), ['Deposit:Succeeded', 'Payout:Succeeded', 'Settlement:Succeeded']);
    assert.equal(back.after['ledger: Charlie (user)'] - back.before['ledger: Charlie (user)'], 49_740_000_000_000n);

    // One unit more than 10 LNK buy: refused when counted, and the 10 LNK go back to Charlie.
    const nextId = (await cc.query.connectionChain.nextTransferId()).toBigInt();
    const refused = await exchange.exchangeByDeposit({ direction: 'ledger-to-anvil', amount: 10n * LNK, minReceived: 9_940_000_000_000_001n });
    assert.equal(refused.opened, false, 'the deposit opened no transfer');
    assert.equal((await cc.query.connectionChain.nextTransferId()).toBigInt(), nextId);
    const charlie = async () => (await exchange.balances())['ledger: Charlie (user)'];
    const returned = await waitFor('the 10 LNK back with Charlie', async () => {
      const now = await charlie();
      return refused.before['ledger: Charlie (user)'] - now < LNK / 100n && now;
    }, { timeoutMs: 60_000, intervalMs: 1000 });
    assert.ok(refused.before['ledger: Charlie (user)'] - returned > 0n, 'Charlie paid only the deposit\'s transaction fee');
  });

  it('11. a deposit made through a smart-wallet contract opens a transfer, which completes', async () => {
    // The user's smart wallet (a forwarding contract) makes the deposit: the vault sees the
    // wallet as the sender, as it would a Safe or an ERC-4337 account.
    const wallet = await deployContract(network.anvil.url, USER_EVM_SECRET, 'Forwarder');
    const walletAddress = (await wallet.getAddress()).toLowerCase();
    const amount = 4n * 10n ** 16n;
    const memo = depositMemo({ newTransfer: { rule: exchange.anvilToLedger, recipient: exchange.charlie.publicKey } });
    const deposit = new Interface(contracts().ConnectionVault.abi).encodeFunctionData('deposit', [memo]);
    const before = await exchange.balances();
    const tx = await wallet.forward(exchange.evmVault, deposit, { value: amount, gasLimit: 200_000n });
    const receipt = await tx.wait();
    const seen = await waitFor('the wallet\'s deposit to be counted', async () => {
      const reference = await exchange.cc.query.connectionChain.seenDeposits(ANVIL_CHAIN, receipt.hash);
      return reference.isSome && reference.unwrap();
    }, { timeoutMs: 120_000, intervalMs: 1000 });
    assert.ok(seen.isTransfer, `the deposit opened a transfer: ${seen.toString()}`);
    const record = await exchange.waitForEnd(seen.asTransfer.toBigInt());
    assert.equal(record.state.type, 'Completed');
    assert.deepEqual(record.source.account.toJSON(), { evm: walletAddress }, 'the wallet is the transfer\'s sender');
    const after = await exchange.balances();
    assert.equal(after['ledger: Charlie (user)'] - before['ledger: Charlie (user)'], record.destination.amount.toBigInt());
    assert.equal(after['anvil: operator'] - before['anvil: operator'], amount, 'the operator was settled the deposit');
  });
});

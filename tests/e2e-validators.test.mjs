// End to end with three connection-chain validators (Alice, Bob, Charlie on the `local` preset,
// threshold 2), whose own signer keys control the EVM vault contract 2 of 3 and whose own
// ledger accounts are the ledger vault's multisig, 2 of 3. Charlie's node is pointed at a
// forged EVM chain, so its reports about the EVM chain are false: alone, they change nothing.
// Charlie's signer keys, taken from his node, move neither vault alone. Then Charlie's node is
// killed, and transfers each way still settle on the reports and approvals of the other two.

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Contract, Interface, TypedDataEncoder, Wallet } from 'ethers';
import { u8aToHex } from '@polkadot/util';
import { blake2AsHex, encodeAddress } from '@polkadot/util-crypto';
import { ANVIL_CHAIN, startNetwork } from './lib/network.mjs';
import { contracts, evmProvider } from './lib/contracts.mjs';
import { Exchange, LNK, USER_EVM_SECRET, assertSettled, depositMemo, signerSecret } from './lib/exchange.mjs';
import { EvmWallet, ethBalance, vaultNonce } from './lib/evm.mjs';
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
    // The same vault contract on the forged chain: the deployer's first transaction there too.
    assert.equal(await exchange.deployVault(forged.url), exchange.evmVault);
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
    const receipt = await forgedUser.deposit(exchange.evmVault, amount, depositMemo({ transfer: id }));
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

  it('7c. one validator\'s signer key, taken from its node, moves nothing alone', async () => {
    const url = network.anvil.url;
    const charlie = new Wallet(signerSecret('charlie'), evmProvider(url));
    const vault = new Contract(exchange.evmVault, contracts().ConnectionVault.abi, charlie);
    const errors = new Interface(contracts().ConnectionVault.abi);
    const [nonce, balance] = [await vaultNonce(url, exchange.evmVault), await ethBalance(url, exchange.evmVault)];
    const domain = { name: 'ConnectionVault', version: '1', chainId: 31337, verifyingContract: exchange.evmVault };
    const types = {
      Batch: [{ name: 'nonce', type: 'uint256' }, { name: 'payments', type: 'Payment[]' }],
      Payment: [{ name: 'token', type: 'address' }, { name: 'to', type: 'address' }, { name: 'amount', type: 'uint256' }],
    };
    const payments = [{ token: '0x0000000000000000000000000000000000000000', to: charlie.address, amount: balance / 2n }];
    const signature = await charlie.signTypedData(domain, types, { nonce, payments });
    assert.equal(TypedDataEncoder.hash(domain, types, { nonce, payments }), await vault.batchDigest(nonce, payments),
      'the digest Charlie signed is the vault\'s');
    const refusal = async (signatures) => {
      try {
        await vault.execute.staticCall(nonce, payments, signatures);
      } catch (error) {
        return errors.parseError(error.data)?.name;
      }
      return 'executed';
    };
    assert.equal(await refusal([signature]), 'NotEnoughSignatures', 'one signature of three is not enough');
    assert.equal(await refusal([signature, signature]), 'SignaturesNotOrdered', 'nor the same signature twice');
    // Sent for real, it reverts on chain and takes nothing.
    const sent = await vault.execute(nonce, payments, [signature], { gasLimit: 300_000n }).catch((error) => error);
    const receipt = sent.wait ? await sent.wait().catch((error) => error.receipt) : null;
    if (receipt) assert.equal(receipt.status, 0, 'the lone execute reverted');
    assert.equal(await ethBalance(url, exchange.evmVault), balance, 'the vault holds what it held');
    assert.equal(await vaultNonce(url, exchange.evmVault), nonce, 'no nonce was taken');
  });

  it('7d. one validator\'s ledger key, taken from its node, moves nothing alone', async () => {
    const { ledger } = exchange;
    const charlie = exchange.ledgerSigners[CHARLIE].pair;
    const vault = exchange.ledgerVaultAddress;
    const free = async (address) => (await ledger.query.system.account(address)).data.free.toBigInt();
    const balance = await free(vault);
    assert.ok(balance > 0n, 'the vault holds something to take');
    const others = exchange.ledgerSigners.filter((_, i) => i !== CHARLIE).map((s) => s.publicKey).sort();
    const theft = ledger.tx.balances.transferKeepAlive(charlie.address, balance / 2n);
    const maxWeight = { refTime: 10n ** 10n, proofSize: 10n ** 6n };
    // His approval opens an operation of the vault, which waits for a second approval.
    const { events } = await submit(ledger, ledger.tx.multisig.asMulti(2, others, null, theft, maxWeight), charlie);
    const opened = events.find(({ event }) => ledger.events.multisig.NewMultisig.is(event));
    assert.equal(encodeAddress(opened.event.data.multisig), vault, 'it is an operation of the vault');
    assert.ok(!events.some(({ event }) => ledger.events.multisig.MultisigExecuted.is(event)), 'nothing executed');
    // Approving it again himself is refused.
    const pending = (await ledger.query.multisig.multisigs(vault, theft.method.hash)).unwrap();
    const again = await submit(ledger, ledger.tx.multisig.asMulti(2, others, pending.when, theft, maxWeight), charlie)
      .catch((error) => error);
    assert.deepEqual(again.module, { section: 'multisig', name: 'AlreadyApproved' });
    // With threshold 1 the same signers are another account, which holds nothing to pay with.
    const single = await submit(ledger, ledger.tx.multisig.asMultiThreshold1(others, theft), charlie)
      .catch((error) => error);
    assert.match(single.message, /FundsUnavailable/, 'that account cannot pay');
    // Nobody else approves it: a block later the vault still holds what it held. Charlie
    // cancels his operation, and his deposit for it comes back.
    await submit(ledger, ledger.tx.system.remark('0x00'), charlie);
    assert.equal(await free(vault), balance, 'the vault holds what it held');
    await submit(ledger, ledger.tx.multisig.cancelAsMulti(2, others, pending.when, theft.method.hash), charlie);
    assert.ok((await ledger.query.multisig.multisigs(vault, theft.method.hash)).isNone);
    assert.equal(await free(vault), balance);
  });

  it('7b. with one validator killed, transfers each way still settle', async () => {
    await network.validators[CHARLIE].kill('SIGKILL');
    const toAnvil = await exchange.exchange({ direction: 'ledger-to-anvil', amount: 50n * LNK, reference: 'e2e-7b-1' });
    assert.equal(toAnvil.record.state.type, 'Completed');
    assert.equal(toAnvil.after['anvil: user'] - toAnvil.before['anvil: user'], toAnvil.record.destination.amount.toBigInt());
    assert.equal(toAnvil.after['ledger: Bob (operator)'] - toAnvil.before['ledger: Bob (operator)'], 50n * LNK);
    // Paid out of the ledger's multisig vault on Alice's and Bob's approvals.
    const amount = 4n * 10n ** 16n;
    const toLedger = await exchange.exchange({ direction: 'anvil-to-ledger', amount, reference: 'e2e-7b-2' });
    assert.equal(toLedger.record.state.type, 'Completed');
    assert.equal(toLedger.after['ledger: Charlie (user)'] - toLedger.before['ledger: Charlie (user)'],
      toLedger.record.destination.amount.toBigInt());
    assert.equal(toLedger.after['anvil: operator'] - toLedger.before['anvil: operator'], amount);
  });
});

// The connection-chain pallet through polkadot.js on the dev node, with no custom types:
// calls encode, events, errors and storage decode, and the runtime API answers.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { startNode } from './lib/node-process.mjs';
import { submit, sudoResult } from './lib/tx.mjs';

const PORTS = { rpc: 19964, p2p: 40353, prometheus: 19635 };
const LNK = 10n ** 12n;
const SUBSTRATE_VAULT = `0x${'aa'.repeat(32)}`;
const EVM_VAULT = `0x${'bb'.repeat(20)}`;
const OPERATOR_SUB = `0x${'55'.repeat(32)}`;
const OPERATOR_EVM = `0x${'66'.repeat(20)}`;

describe('connection-chain pallet through polkadot.js', () => {
  let node;
  let api;
  let alice;
  let bob;
  let charlie;

  before(async () => {
    node = await startNode({ name: 'pallet-dev', args: ['--dev'], ports: PORTS });
    api = await ApiPromise.create({ provider: new WsProvider(node.wsUrl), noInitWarn: true });
    const keyring = new Keyring({ type: 'sr25519' });
    [alice, bob, charlie] = ['//Alice', '//Bob', '//Charlie'].map((uri) => keyring.addFromUri(uri));
  });

  after(async () => {
    await api?.disconnect();
    await node?.stop();
  });

  it('the admin registers both linked chains through sudo', async () => {
    const limit = { maxPerPeriod: 10n ** 30n, period: 600 };
    const register = [
      api.tx.connectionChain.registerChain('Substrate', 'Linked Ledger', { symbol: 'LNK', decimals: 12 }, SUBSTRATE_VAULT, 0, limit),
      api.tx.connectionChain.registerChain('Evm', 'Anvil', { symbol: 'ETH', decimals: 18 }, EVM_VAULT, 2, limit),
    ];
    for (const call of register) {
      const { events } = await submit(api, api.tx.sudo.sudo(call), alice);
      assert.equal(sudoResult(api, events), null);
      const registered = events.find(({ event }) => api.events.connectionChain.ChainRegistered.is(event));
      assert.ok(registered, 'ChainRegistered event decodes');
    }
    const evm = (await api.query.connectionChain.chains(1)).unwrap();
    assert.ok(evm.kind.isEvm);
    assert.equal(evm.vault.asEvm.toHex(), EVM_VAULT);
    assert.equal(evm.asset.symbol.toUtf8(), 'ETH');
    assert.ok(evm.status.isActive);

    // A vault of the wrong length for its kind is the named pallet error, and changes nothing.
    const { events } = await submit(api, api.tx.sudo.sudo(
      api.tx.connectionChain.registerChain('Evm', 'Bad', { symbol: 'X', decimals: 1 }, SUBSTRATE_VAULT, 2, limit),
    ), alice);
    assert.equal(sudoResult(api, events), 'connectionChain.MalformedAccount');
    assert.equal((await api.query.connectionChain.nextChainId()).toNumber(), 2);
  });

  it('an operator registers with a bond and sets a rule', async () => {
    await submit(api, api.tx.connectionChain.registerOperator(), bob);
    const operator = (await api.query.connectionChain.operators(bob.address)).unwrap();
    assert.equal(operator.bond.toBigInt(), 1000n * LNK);
    await submit(api, api.tx.connectionChain.setSettlementAccount(0, OPERATOR_SUB), bob);
    await submit(api, api.tx.connectionChain.setSettlementAccount(1, OPERATOR_EVM), bob);
    // 1 LNK = 0.001 ETH: 1_000 wei per planck; fee 0.01 LNK + 0.5 % (Perbill parts).
    const terms = {
      rate: { numerator: 1000, denominator: 1 },
      fee: { fixed: 10n ** 10n, proportional: 5_000_000 },
      minAmount: LNK,
      maxAmount: 1_000n * LNK,
      validFrom: 0,
      validUntil: null,
    };
    const { events } = await submit(api, api.tx.connectionChain.setRule(0, 1, terms), bob);
    const set = events.find(({ event }) => api.events.connectionChain.RuleSet.is(event));
    assert.equal(set.event.data.operator.toString(), bob.address);
    const rule = (await api.query.connectionChain.rules(0)).unwrap();
    assert.equal(rule.terms.rate.numerator.toNumber(), 1000);
  });

  it('the runtime API quotes the worked example of the crate doc', async () => {
    const quote = await api.call.connectionChainApi.quote(0, 100n * LNK, null);
    assert.ok(quote.isOk, quote.toString());
    const { amountIn, fee, amountOut, campaign } = quote.asOk;
    assert.equal(amountIn.toBigInt(), 100n * LNK);
    assert.equal(fee.toBigInt(), 510_000_000_000n);
    assert.equal(amountOut.toBigInt(), 99_490_000_000_000_000n);
    assert.ok(campaign.isNone);
    const tooSmall = await api.call.connectionChainApi.quote(0, 1n, null);
    assert.ok(tooSmall.isErr && tooSmall.asErr.isAmountTooSmall);
    const [ledger, expected] = (await api.call.connectionChainApi.vaultLedger(0)).unwrap();
    assert.equal(ledger.held.toBigInt(), 0n);
    assert.equal(expected.toBigInt(), 0n);
  });

  it('requests are refused with named errors and leave no record', async () => {
    const request = (sender, recipient, minReceived, reference) =>
      api.tx.connectionChain.requestTransfer(0, 100n * LNK, sender, recipient, minReceived, reference);
    const sender = `0x${'11'.repeat(32)}`;
    const recipient = `0x${'22'.repeat(20)}`;
    await assert.rejects(submit(api, request(sender, sender, 0, 'r1'), charlie),
      (e) => e.module?.name === 'MalformedAccount');
    await assert.rejects(submit(api, request(sender, recipient, 99_490_000_000_000_001n, 'r1'), charlie),
      (e) => e.module?.name === 'BelowMinReceived');
    // The operator has no liquidity on the EVM chain yet (deposits come through the workers).
    await assert.rejects(submit(api, request(sender, recipient, 0, 'r1'), charlie),
      (e) => e.module?.name === 'InsufficientLiquidity');
    assert.equal((await api.query.connectionChain.nextTransferId()).toNumber(), 0);
    const page = await api.call.connectionChainApi.transfersByState('AwaitingDeposit', null, 10);
    assert.equal(page.items.length, 0);
  });
});

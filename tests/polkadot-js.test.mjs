// A polkadot.js client against the development node: metadata decodes with no custom types,
// and a balance transfer from Alice to Bob goes through with the expected event and balances.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { startNode } from './lib/node-process.mjs';
import { submit } from './lib/tx.mjs';

const PORTS = { rpc: 19954, p2p: 40343, prometheus: 19625 };
const UNIT = 10n ** 12n;

describe('polkadot.js against the dev node', () => {
  let node;
  let api;
  const warnings = [];

  before(async () => {
    node = await startNode({ name: 'pjs-dev', args: ['--dev'], ports: PORTS });
    // polkadot.js reports what it cannot decode (unknown signed extensions, missing types)
    // as console warnings: collect them while it connects.
    const originalWarn = console.warn;
    const originalError = console.error;
    console.warn = (...args) => warnings.push(args.join(' '));
    console.error = (...args) => warnings.push(args.join(' '));
    try {
      api = await ApiPromise.create({ provider: new WsProvider(node.wsUrl), throwOnConnect: true });
    } finally {
      console.warn = originalWarn;
      console.error = originalError;
    }
  });

  after(async () => {
    await api?.disconnect();
    await node?.stop();
  });

  it('reads the metadata with no custom types', async () => {
    // Two notices are expected and harmless: the node offers newer RPC methods than this
    // client knows, and polkadot.js has no built-in entry for `AuthorizeCall` and reads it from
    // the metadata instead (checked below). Anything else is a decoding problem.
    const unexpected = warnings.filter((w) =>
      !/RPC methods not decorated/.test(w) &&
      !/Unknown signed extensions AuthorizeCall found, treating them as no-effect/.test(w));
    assert.deepEqual(unexpected, [], 'no other decoding warnings while connecting');
    assert.ok(api.runtimeMetadata.version >= 14, `metadata v${api.runtimeMetadata.version}`);

    // "No effect" is right for AuthorizeCall only because it adds no bytes to a transaction
    // and none to the signed payload: both of its types are the empty tuple.
    const metadata = api.runtimeMetadata.asLatest;
    const extensions = (metadata.extrinsic.transactionExtensions ?? metadata.extrinsic.signedExtensions)
      .map((ext) => ({
        id: ext.identifier.toString(),
        extra: api.registry.lookup.getTypeDef(ext.type).type,
        implicit: api.registry.lookup.getTypeDef(ext.implicit ?? ext.additionalSigned).type,
      }));
    const authorizeCall = extensions.find((ext) => ext.id === 'AuthorizeCall');
    assert.deepEqual(authorizeCall, { id: 'AuthorizeCall', extra: 'Null', implicit: 'Null' });
    // Every other extension is one polkadot.js knows how to fill in: it warned of no other.
    assert.ok(extensions.some((ext) => ext.id === 'CheckMetadataHash'));

    const pallets = api.runtimeMetadata.asLatest.pallets.map((p) => p.name.toString());
    for (const pallet of ['System', 'Timestamp', 'Aura', 'Grandpa', 'Balances',
      'TransactionPayment', 'Sudo', 'BlockTime', 'ConnectionChain']) {
      assert.ok(pallets.includes(pallet), `pallet ${pallet} in metadata`);
    }
    // Every type in the metadata's registry resolves to a definition polkadot.js can build.
    const lookup = api.registry.lookup;
    for (const { id } of lookup.types) {
      assert.doesNotThrow(() => lookup.getTypeDef(id), `type ${id.toString()}`);
    }

    // Storage decodes: the chain's own values read back as typed objects.
    assert.equal((await api.query.blockTime.targetBlockTime()).toNumber(), 2000);
    assert.equal(api.consts.aura.slotDuration.toNumber(), 2000);
    assert.equal(api.registry.chainTokens[0], 'CNX');
    assert.equal(api.registry.chainDecimals[0], 12);
  });

  it('transfers balance from Alice to Bob', async () => {
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const alice = keyring.addFromUri('//Alice');
    const bob = keyring.addFromUri('//Bob');
    const amount = 123n * UNIT;

    const freeOf = async (who) => (await api.query.system.account(who)).data.free.toBigInt();
    const [aliceBefore, bobBefore] = [await freeOf(alice.address), await freeOf(bob.address)];

    const { blockHash, events } = await submit(
      api,
      api.tx.balances.transferKeepAlive(bob.address, amount),
      alice,
      { until: 'finalized' },
    );

    const transfer = events.find(({ event }) => api.events.balances.Transfer.is(event));
    assert.ok(transfer, 'Balances.Transfer event emitted');
    const { from, to, amount: moved } = transfer.event.data;
    assert.equal(from.toString(), alice.address);
    assert.equal(to.toString(), bob.address);
    assert.equal(moved.toBigInt(), amount);
    assert.ok(events.some(({ event }) => api.events.system.ExtrinsicSuccess.is(event)));

    const feePaid = events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event));
    assert.ok(feePaid, 'TransactionPayment.TransactionFeePaid event emitted');
    const fee = feePaid.event.data.actualFee.toBigInt();
    assert.ok(fee > 0n, 'a signed transfer pays a fee');

    const apiAt = await api.at(blockHash);
    const freeAt = async (who) => (await apiAt.query.system.account(who)).data.free.toBigInt();
    assert.equal(await freeAt(bob.address), bobBefore + amount);
    assert.equal(await freeAt(alice.address), aliceBefore - amount - fee);
  });
});

// The real node binary: the development chain authors and finalizes blocks, and the
// linked-ledger chain runs beside it on other ports as a different chain.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { xxhashAsHex } from '@polkadot/util-crypto';
import { startNode, waitFor } from './lib/node-process.mjs';

const DEV_PORTS = { rpc: 19944, p2p: 40333, prometheus: 19615 };
const LINKED_PORTS = { rpc: 19945, p2p: 40334, prometheus: 19616 };

const blockNumber = (header) => parseInt(header.number, 16);

describe('connection-chain-node', () => {
  let dev;
  let linked;

  before(async () => {
    dev = await startNode({ name: 'dev', args: ['--dev'], ports: DEV_PORTS });
    linked = await startNode({
      name: 'linked-ledger',
      args: ['--chain', 'linked-ledger', '--alice'],
      ports: LINKED_PORTS,
    });
  });

  after(async () => {
    await dev?.stop();
    await linked?.stop();
  });

  it('--dev authors blocks and GRANDPA finalizes them', async () => {
    const finalizedNumber = async () =>
      blockNumber(await dev.rpc('chain_getHeader', [await dev.rpc('chain_getFinalizedHead')]));
    // Block 0 is final from the start; finality must reach past block 2.
    const finalized = await waitFor('dev finality past block 2', async () => {
      const n = await finalizedNumber();
      return n > 2 ? n : 0;
    });
    const best = blockNumber(await dev.rpc('chain_getHeader'));
    assert.ok(best >= finalized, `best ${best} is at or past finalized ${finalized}`);
    // Authoring goes on: a later block appears.
    await waitFor('a new best block', async () => blockNumber(await dev.rpc('chain_getHeader')) > best);
  });

  it('the block time is the one each chain spec sets: 2 s dev, 1 s linked ledger', async () => {
    const slotDuration = async (node) =>
      Number(Buffer.from((await node.rpc('state_call', ['AuraApi_slot_duration', '0x'])).slice(2), 'hex')
        .readBigUInt64LE());
    assert.equal(await slotDuration(dev), 2000);
    assert.equal(await slotDuration(linked), 1000);

    // And blocks really come at that pace: the timestamps of five consecutive dev blocks.
    const nowKey = xxhashAsHex('Timestamp', 128) + xxhashAsHex('Now', 128).slice(2);
    const momentAt = async (n) => {
      const hash = await dev.rpc('chain_getBlockHash', [n]);
      const raw = await dev.rpc('state_getStorage', [nowKey, hash]);
      return Number(Buffer.from(raw.slice(2), 'hex').readBigUInt64LE());
    };
    const first = blockNumber(await dev.rpc('chain_getHeader'));
    await waitFor('five more dev blocks', async () =>
      blockNumber(await dev.rpc('chain_getHeader')) >= first + 5, { timeoutMs: 30_000 });
    const averageGap = ((await momentAt(first + 5)) - (await momentAt(first + 1))) / 4;
    assert.ok(averageGap >= 1900 && averageGap <= 2600, `average dev block gap ${averageGap} ms`);
  });

  it('the linked ledger runs beside it on other ports, as a different chain', async () => {
    const [devGenesis, linkedGenesis] = await Promise.all([
      dev.rpc('chain_getBlockHash', [0]),
      linked.rpc('chain_getBlockHash', [0]),
    ]);
    assert.notEqual(devGenesis, linkedGenesis);
    assert.equal(await dev.rpc('system_chain'), 'Connection Chain Development');
    assert.equal(await linked.rpc('system_chain'), 'Linked Ledger');
    const [devProps, linkedProps] = await Promise.all([
      dev.rpc('system_properties'),
      linked.rpc('system_properties'),
    ]);
    assert.equal(devProps.tokenSymbol, 'CNX');
    assert.equal(linkedProps.tokenSymbol, 'LNK');
    // The linked ledger produces and finalizes blocks of its own.
    await waitFor('linked-ledger finality past block 2', async () => {
      const head = await linked.rpc('chain_getFinalizedHead');
      return blockNumber(await linked.rpc('chain_getHeader', [head])) > 2;
    });
  });
});

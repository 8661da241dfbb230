// The local three-chain network on 127.0.0.1: anvil as the EVM chain, our node on the
// linked-ledger preset as the linked Substrate chain, and the connection chain (one `--dev`
// node, or Alice, Bob and Charlie on the `local` preset), whose workers are told both
// endpoints. Every port is derived from one base port, so networks of different test files
// never meet.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAnvil, startNode } from './node-process.mjs';

/** Chain ids the connection chain gives the linked chains when registered in this order. */
export const LEDGER_CHAIN = 0;
export const ANVIL_CHAIN = 1;

/**
 * The ports of a network at `base`: anvil `base`, linked ledger `base + 1`, connection-chain
 * validator i `base + 2 + i` (JSON-RPC); p2p and Prometheus ports are `+ 100` and `+ 200`.
 */
export function networkPorts(base) {
  const node = (offset) => ({ rpc: base + offset, p2p: base + 100 + offset, prometheus: base + 200 + offset });
  return { anvil: base, ledger: node(1), validator: (i) => node(2 + i) };
}

/** The validators' names, in the order of their index (and of the authorities of the presets). */
export const VALIDATOR_NAMES = ['alice', 'bob', 'charlie'];

/**
 * Starts the network, on the ports of `base` unless `ports` are given. `validators` is 1 (`--dev`, Alice alone, threshold 1) or 3 (`local`
 * preset, threshold 2). `linkedEndpoint(i, chain, url)` may point validator i's worker at
 * another endpoint than `url` for a linked chain (a forged chain, a counting proxy). Connection-chain nodes keep their base path across
 * restarts, and with `keepAnvilState` anvil keeps its chain; everything is removed by `stop()`.
 * `nodeArgs` are added to every node's flags (e.g. larger transaction pools).
 */
export async function startNetwork({ name, base, ports = networkPorts(base), validators = 1, keepAnvilState = false, linkedEndpoint, nodeArgs = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), `cc-net-${name}-`));
  const started = [];
  const network = {
    dir,
    ports,
    anvil: null,
    ledger: null,
    validators: [],
    get cc() {
      return this.validators[0];
    },
    async stop() {
      await Promise.all(started.map((child) => child.stop()));
      // CC_KEEP_NETWORK=1 keeps the nodes' logs and databases for a look after a failure.
      if (process.env.CC_KEEP_NETWORK) console.log(`network ${name} kept in ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    const statePath = keepAnvilState ? join(dir, 'anvil-state.json') : undefined;
    network.anvil = await startAnvil({ name: `${name}-anvil`, port: ports.anvil, statePath });
    started.push(network.anvil);
    network.ledger = await startNode({
      name: `${name}-ledger`,
      args: ['--chain', 'linked-ledger', '--alice', '--validator', ...nodeArgs],
      ports: ports.ledger,
    });
    started.push(network.ledger);

    const endpoint = (i, chain, url) => linkedEndpoint?.(i, chain, url) ?? url;
    const linkedArgs = (i) => [
      '--linked-rpc', `${LEDGER_CHAIN}=${endpoint(i, LEDGER_CHAIN, network.ledger.httpUrl)}`,
      '--linked-rpc', `${ANVIL_CHAIN}=${endpoint(i, ANVIL_CHAIN, network.anvil.url)}`,
    ];
    let bootnode = [];
    for (let i = 0; i < validators; i++) {
      const basePath = join(dir, VALIDATOR_NAMES[i]);
      const chainArgs = validators === 1
        ? ['--dev']
        : ['--chain', 'local', `--${VALIDATOR_NAMES[i]}`, '--validator', ...bootnode];
      const node = await startNode({
        name: `${name}-${VALIDATOR_NAMES[i]}`,
        args: [...chainArgs, ...linkedArgs(i), ...nodeArgs],
        ports: ports.validator(i),
        basePath,
      });
      started.push(node);
      network.validators.push(node);
      if (i === 0 && validators > 1) {
        const peerId = await node.rpc('system_localPeerId');
        bootnode = ['--bootnodes', `/ip4/127.0.0.1/tcp/${ports.validator(0).p2p}/p2p/${peerId}`];
      }
    }
  } catch (error) {
    await network.stop();
    throw error;
  }
  return network;
}

// Starts real processes on 127.0.0.1 (our node binary, anvil) and stops them again.
//
// Every process started here is registered and killed (with its process group) when the test
// stops it, and in any case when the test process exits.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

/** Path of the node binary: `CC_NODE_BIN` (set by scripts/test.sh) or the shared target dir. */
export const nodeBinary =
  process.env.CC_NODE_BIN ??
  join(
    process.env.CARGO_TARGET_DIR ?? join(process.env.HOME, '.cache/connection-chain/target'),
    'release/connection-chain-node',
  );

/** Anvil, from the npm package `@foundry-rs/anvil` (installed by scripts/setup.sh). */
export const anvilBinary = join(repoRoot, 'node_modules', '.bin', 'anvil');

const running = new Set();
/** Kills every process still running, at once. */
export function killAll() {
  for (const child of running) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.on('exit', killAll);
// Interrupted (Ctrl-C, or the test runner giving up): nothing started here outlives us.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

let requestId = 0;
/** Sends one JSON-RPC request over HTTP to `url` and returns its result (throws on an RPC error). */
export async function jsonRpc(url, method, params = []) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++requestId, method, params }),
  });
  const body = await response.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

/** Waits until `probe()` returns a truthy value, polling every `intervalMs`. */
export async function waitFor(description, probe, { timeoutMs = 60_000, intervalMs = 250 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}` +
    (lastError ? ` (last error: ${lastError.message})` : ''));
}

/**
 * Starts `command args` in its own process group, its output appended to `logPath`, and
 * resolves once `ready()` is truthy. The handle can `kill` it (the log and any state stay),
 * `restart` it with the same arguments, and `stop` it for good.
 */
async function startProcess({ name, command, args, logPath, ready, cleanUp = () => {} }) {
  let child;
  let exited;
  const launch = async () => {
    exited = null;
    child = spawn(command, args, { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const log = createWriteStream(logPath, { flags: 'a' });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    const self = child;
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      running.delete(self);
    });
    await waitFor(`${name} to be ready`, async () => {
      if (exited) {
        const tail = readFileSync(logPath, 'utf8').split('\n').slice(-15).join('\n');
        throw new Error(`${name} exited early (${JSON.stringify(exited)}):\n${tail}`);
      }
      return ready();
    });
  };
  const handle = {
    name,
    logPath,
    get running() {
      return !exited;
    },
    /** Stops it with `signal` (SIGTERM lets it shut down cleanly; SIGKILL is a crash). */
    async kill(signal = 'SIGTERM') {
      if (!exited) {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // already gone
        }
        const deadline = Date.now() + 15_000;
        while (!exited && Date.now() < deadline) await sleep(100);
        if (!exited) process.kill(-child.pid, 'SIGKILL');
        while (!exited) await sleep(50);
      }
    },
    async restart() {
      await handle.kill();
      await launch();
    },
    async stop() {
      await handle.kill();
      cleanUp();
    },
  };
  await launch();
  return handle;
}

/**
 * Starts a node. `ports` = { rpc, p2p, prometheus }; `args` are the chain flags, e.g.
 * ['--dev'] or ['--chain', 'linked-ledger', '--alice']. Resolves once its RPC answers. A node
 * restarted keeps its base path; `stop()` removes the base path if this call created it.
 *
 * A validator of a non-dev chain refuses to start without a network key, so each node gets
 * one (`nodeKey`, 32 bytes hex; random unless given).
 */
export async function startNode({ name, args, ports, basePath, nodeKey = randomBytes(32).toString('hex') }) {
  const ownBasePath = !basePath;
  const base = basePath ?? mkdtempSync(join(tmpdir(), `cc-${name}-`));
  mkdirSync(base, { recursive: true }); // the log goes there before the node creates it
  const httpUrl = `http://127.0.0.1:${ports.rpc}`;
  const handle = await startProcess({
    name,
    command: nodeBinary,
    args: [
      ...args,
      '--base-path', base,
      '--rpc-port', String(ports.rpc),
      '--prometheus-port', String(ports.prometheus),
      '--listen-addr', `/ip4/127.0.0.1/tcp/${ports.p2p}`,
      '--no-mdns',
      '--no-telemetry',
      '--rpc-cors', 'all',
      '--node-key', nodeKey,
    ],
    logPath: join(base, 'node.log'),
    ready: async () => (await jsonRpc(httpUrl, 'system_health')) !== undefined,
    cleanUp: () => ownBasePath && rmSync(base, { recursive: true, force: true }),
  });
  return Object.assign(handle, {
    ports,
    basePath: base,
    wsUrl: `ws://127.0.0.1:${ports.rpc}`,
    httpUrl,
    rpc: (method, params) => jsonRpc(httpUrl, method, params),
  });
}

/**
 * Starts anvil on `port` with `blockTime`-second blocks (0: a block per transaction, at
 * once). With `statePath` it loads the chain
 * from that file if it exists and writes it back when stopped with SIGTERM, so a restart
 * goes on with the same chain.
 */
export async function startAnvil({ name = 'anvil', port, blockTime = 1, statePath }) {
  const dir = mkdtempSync(join(tmpdir(), `cc-${name}-`));
  const url = `http://127.0.0.1:${port}`;
  const args = ['--host', '127.0.0.1', '--port', String(port)];
  if (blockTime > 0) args.push('--block-time', String(blockTime));
  if (statePath) args.push('--state', statePath);
  const handle = await startProcess({
    name,
    command: anvilBinary,
    args,
    logPath: join(dir, 'anvil.log'),
    ready: async () => (await jsonRpc(url, 'eth_chainId')) !== undefined,
    cleanUp: () => rmSync(dir, { recursive: true, force: true }),
  });
  return Object.assign(handle, { port, url });
}

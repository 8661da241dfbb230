// Starts our node binary as a real process on 127.0.0.1 and stops it again.
//
// Every process a test starts is registered here and killed (with its process group) when the
// test calls `stop()`, and in any case when the test process exits.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const repoRoot = resolve(import.meta.dirname, '..', '..');

/** Path of the node binary: `CC_NODE_BIN` (set by scripts/test.sh) or the shared target dir. */
export const nodeBinary =
  process.env.CC_NODE_BIN ??
  join(
    process.env.CARGO_TARGET_DIR ?? join(process.env.HOME, '.cache/connection-chain/target'),
    'release/connection-chain-node',
  );

const running = new Set();
function killAll() {
  for (const child of running) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** Sends one JSON-RPC request over HTTP and returns its result (throws on an RPC error). */
export async function rpc(port, method, params = []) {
  const response = await fetch(`http://127.0.0.1:${port}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
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
 * Starts a node. `ports` = { rpc, p2p, prometheus }; `args` are the chain flags, e.g.
 * ['--dev'] or ['--chain', 'linked-ledger', '--alice']. Resolves once its RPC answers.
 *
 * A validator of a non-dev chain refuses to start without a network key, so each node gets
 * one (`nodeKey`, 32 bytes hex; random unless given).
 */
export async function startNode({ name, args, ports, basePath, nodeKey = randomBytes(32).toString('hex') }) {
  const ownBasePath = !basePath;
  const base = basePath ?? mkdtempSync(join(tmpdir(), `cc-${name}-`));
  const logPath = join(base, 'node.log');
  const child = spawn(
    nodeBinary,
    [
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
    { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  const log = createWriteStream(logPath);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
    running.delete(child);
  });

  const node = {
    name,
    ports,
    basePath: base,
    logPath,
    wsUrl: `ws://127.0.0.1:${ports.rpc}`,
    rpc: (method, params) => rpc(ports.rpc, method, params),
    async stop() {
      if (!exited) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
        const deadline = Date.now() + 10_000;
        while (!exited && Date.now() < deadline) await sleep(100);
        if (!exited) process.kill(-child.pid, 'SIGKILL');
      }
      running.delete(child);
      if (ownBasePath) rmSync(base, { recursive: true, force: true });
    },
  };

  await waitFor(`${name} RPC on port ${ports.rpc}`, async () => {
    if (exited) {
      const tail = readFileSync(logPath, 'utf8').split('\n').slice(-15).join('\n');
      throw new Error(`${name} exited early (${JSON.stringify(exited)}):\n${tail}`);
    }
    return (await node.rpc('system_health')) !== undefined;
  });
  return node;
}

// The project's Solidity contracts (contracts/), compiled from source with the pinned solc of
// package.json, their imports from the pinned @openzeppelin/contracts; and deployment on an
// EVM chain with ethers.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContractFactory, JsonRpcProvider, Wallet } from 'ethers';
import solc from 'solc';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The EVM version the contracts are compiled for: one anvil and current chains run. */
const EVM_VERSION = 'cancun';

/** The contract sources: the vault, and what the tests need beside it. */
export const CONTRACT_FILES = ['contracts/ConnectionVault.sol', 'contracts/test/TestToken.sol', 'contracts/test/Forwarder.sol'];

/**
 * Compiles `files` (paths from the repository root): `{ [contractName]: { abi, bytecode } }`.
 * Throws with the compiler's messages on any error.
 */
export function compileContracts(files = CONTRACT_FILES) {
  const sources = Object.fromEntries(files.map((file) => [file, { content: readFileSync(join(ROOT, file), 'utf8') }]));
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      evmVersion: EVM_VERSION,
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const findImports = (path) => {
    try {
      return { contents: readFileSync(join(ROOT, 'node_modules', path), 'utf8') };
    } catch {
      return { error: `not found: ${path}` };
    }
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
  const errors = (output.errors ?? []).filter((message) => message.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((message) => message.formattedMessage).join('\n'));
  const contracts = {};
  for (const file of files) {
    for (const [name, contract] of Object.entries(output.contracts[file] ?? {})) {
      contracts[name] = { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
    }
  }
  return contracts;
}

/** The compiler version the contracts are built with. */
export const compilerVersion = () => solc.version();

let compiled;
/** The contracts, compiled once per process. */
export function contracts() {
  compiled ??= compileContracts();
  return compiled;
}

/** An ethers provider for the EVM chain at `url` that polls fast and caches nothing. */
export function evmProvider(url) {
  return new JsonRpcProvider(url, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
}

/**
 * Deploys the contract `name` (of `contracts()`) with `args`, from the account of `secret`;
 * resolves with the ethers contract once mined.
 */
export async function deployContract(url, secret, name, ...args) {
  const { abi, bytecode } = contracts()[name];
  const contract = await new ContractFactory(abi, bytecode, new Wallet(secret, evmProvider(url))).deploy(...args);
  await contract.waitForDeployment();
  return contract;
}

/** Orders addresses as the vault wants its signers: ascending. */
export const byAddress = (a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

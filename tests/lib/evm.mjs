// An EVM chain through plain Ethereum JSON-RPC, and a user's wallet: legacy EIP-155
// transactions signed locally with the user's own key (secp256k1 and keccak from
// @polkadot/util-crypto), so nothing is signed by the node.

import { hexToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { ethereumEncode, keccakAsU8a, secp256k1PairFromSeed, secp256k1Sign } from '@polkadot/util-crypto';
import { Interface } from 'ethers';
import { jsonRpc, waitFor } from './node-process.mjs';

const VAULT = new Interface(['function deposit(bytes memo) payable', 'function nonce() view returns (uint256)']);
/** Gas of a deposit into the vault contract: its event carries the memo. */
const DEPOSIT_GAS = 120_000n;

// Recursive-length-prefix encoding of byte strings and lists.
/** The big-endian bytes of `value` without leading zeros (none for zero). */
function uintBytes(value) {
  const digits = BigInt(value).toString(16);
  return value == 0 ? new Uint8Array() : hexToU8a(digits.length % 2 ? `0${digits}` : digits);
}
function rlpLength(length, offset) {
  if (length < 56) return Uint8Array.of(offset + length);
  const bytes = uintBytes(length);
  return u8aConcat(Uint8Array.of(offset + 55 + bytes.length), bytes);
}
function rlpBytes(bytes) {
  if (bytes.length === 1 && bytes[0] < 0x80) return bytes;
  return u8aConcat(rlpLength(bytes.length, 0x80), bytes);
}
const rlpUint = (value) => rlpBytes(uintBytes(value));
function rlpList(items) {
  const payload = u8aConcat(...items);
  return u8aConcat(rlpLength(payload.length, 0xc0), payload);
}

/** A user's wallet on an EVM chain: its key never leaves this process. */
export class EvmWallet {
  constructor(url, secretKeyHex) {
    this.url = url;
    this.pair = secp256k1PairFromSeed(hexToU8a(secretKeyHex));
    this.address = ethereumEncode(this.pair.publicKey).toLowerCase();
  }

  /**
   * Signs and sends `value` wei to `to` with `data`; resolves with the receipt once mined.
   * `gas` defaults to 21,000 plus the calldata's floor cost.
   */
  async send(to, value, data = new Uint8Array(), { gas } = {}) {
    const call = (method, params) => jsonRpc(this.url, method, params);
    const raw = this.sign(to, value, data, {
      nonce: BigInt(await call('eth_getTransactionCount', [this.address, 'pending'])),
      gasPrice: BigInt(await call('eth_gasPrice')),
      chainId: BigInt(await call('eth_chainId')),
      gas,
    });
    const hash = await call('eth_sendRawTransaction', [u8aToHex(raw)]);
    if (hash !== u8aToHex(keccakAsU8a(raw))) throw new Error(`unexpected tx hash ${hash}`);
    return waitForReceipt(this.url, hash);
  }

  /** Deposits `value` wei into the vault contract at `vault` with `memo`: its `deposit(memo)`. */
  async deposit(vault, value, memo) {
    const data = hexToU8a(VAULT.encodeFunctionData('deposit', [memo]));
    const receipt = await this.send(vault, value, data, { gas: DEPOSIT_GAS });
    if (receipt.status !== '0x1') throw new Error(`the deposit ${receipt.transactionHash} reverted`);
    return receipt;
  }

  /** The raw signed transaction of `value` wei to `to` with `data`, for the given fields. */
  sign(to, value, data, { nonce, gasPrice, chainId, gas }) {
    // Since Prague (EIP-7623) calldata costs at least 10 gas per token (a zero byte is one
    // token, any other byte four); a lower limit gets the transaction dropped.
    const calldataGas = data.reduce((sum, byte) => sum + (byte === 0 ? 10n : 40n), 0n);
    const fields = [
      rlpUint(nonce),
      rlpUint(gasPrice),
      rlpUint(gas ?? 21_000n + calldataGas),
      rlpBytes(hexToU8a(to)),
      rlpUint(value),
      rlpBytes(data),
    ];
    // EIP-155: the chain id and two zeros are signed, and v = recovery id + 35 + 2 · chainId.
    const unsigned = rlpList([...fields, rlpUint(chainId), rlpUint(0), rlpUint(0)]);
    const signature = secp256k1Sign(unsigned, this.pair, 'keccak');
    const strip = (word) => uintBytes(BigInt(u8aToHex(word)));
    return rlpList([
      ...fields,
      rlpUint(BigInt(signature[64]) + 35n + 2n * chainId),
      rlpBytes(strip(signature.slice(0, 32))),
      rlpBytes(strip(signature.slice(32, 64))),
    ]);
  }
}

/** The receipt of `hash`, once it is mined. */
export function waitForReceipt(url, hash, timeoutMs = 60_000) {
  return waitFor(`transaction ${hash} to be mined`, () => jsonRpc(url, 'eth_getTransactionReceipt', [hash]), { timeoutMs });
}

/** Balance of `address` in wei, at the newest block. */
export async function ethBalance(url, address) {
  return BigInt(await jsonRpc(url, 'eth_getBalance', [address, 'latest']));
}

/** The nonce the next batch of the vault contract at `vault` must carry. */
export async function vaultNonce(url, vault) {
  const data = VAULT.encodeFunctionData('nonce', []);
  return BigInt(await jsonRpc(url, 'eth_call', [{ to: vault, data }, 'latest']));
}

// The EVM vault contract (contracts/ConnectionVault.sol), compiled from source with the pinned
// solc and deployed on a real anvil: deposits of ETH and tokens, from accounts and through a
// contract; payouts only on a batch signed by a threshold of the current signers, once each;
// rotation of the signer set by the old set only. Signatures are made with ethers' own EIP-712
// implementation, so the contract's digest is checked against an independent one.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ContractFactory, Interface, JsonRpcProvider, TypedDataEncoder, Wallet, getAddress, hexlify, toUtf8Bytes } from 'ethers';
import { compileContracts } from './lib/contracts.mjs';
import { startAnvil } from './lib/node-process.mjs';

/** Anvil's first two dev accounts (well known): the deployer, and a user. */
const DEPLOYER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const USER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const ETH = 10n ** 18n;
const ZERO = '0x0000000000000000000000000000000000000000';
const BATCH_TYPES = {
  Batch: [{ name: 'nonce', type: 'uint256' }, { name: 'payments', type: 'Payment[]' }],
  Payment: [{ name: 'token', type: 'address' }, { name: 'to', type: 'address' }, { name: 'amount', type: 'uint256' }],
};
const ROTATION_TYPES = {
  Rotation: [{ name: 'nonce', type: 'uint256' }, { name: 'signers', type: 'address[]' }, { name: 'threshold', type: 'uint256' }],
};

let anvil;
let provider;
let deployer;
let user;
let artifacts;

/** `count` fresh signer keys, ordered by address as the vault wants them. */
const signerKeys = (count) => Array.from({ length: count }, () => Wallet.createRandom())
  .sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));

async function deploy(name, ...args) {
  const factory = new ContractFactory(artifacts[name].abi, artifacts[name].bytecode, deployer);
  const contract = await factory.deploy(...args);
  await contract.waitForDeployment();
  return contract;
}

/** A vault controlled by `keys` (ordered by address) with `threshold`. */
const deployVault = (keys, threshold) => deploy('ConnectionVault', keys.map((key) => key.address), threshold);

/** The EIP-712 domain of `vault` on a chain of `chainId`. */
async function domainOf(vault, chainId) {
  return { name: 'ConnectionVault', version: '1', chainId: chainId ?? (await provider.getNetwork()).chainId, verifyingContract: await vault.getAddress() };
}

/** `keys`' signatures of the batch, in the order of their addresses. */
async function signBatch(keys, domain, nonce, payments) {
  return Promise.all(keys.map((key) => key.signTypedData(domain, BATCH_TYPES, { nonce, payments })));
}

/** The vault's events in the receipt of `tx`. */
async function eventsOf(vault, tx) {
  const receipt = await (await tx).wait();
  return receipt.logs.map((log) => vault.interface.parseLog(log)).filter(Boolean);
}

/** Expects `call` to revert with the vault's custom error `name` (from the revert data). */
async function refused(call, name) {
  const vaultErrors = new Interface(artifacts.ConnectionVault.abi);
  await assert.rejects(call, (error) => {
    const reverted = error.revert?.name ?? (error.data ? vaultErrors.parseError(error.data)?.name : undefined);
    assert.equal(reverted, name, `reverted with ${reverted ?? error.shortMessage}`);
    return true;
  });
}

const payment = (to, amount, token = ZERO) => ({ token, to, amount });

before(async () => {
  artifacts = compileContracts();
  anvil = await startAnvil({ name: 'vault-contract', port: 25100, blockTime: 0 });
  // No caching of answers: a nonce read twice within a moment must be read twice.
  provider = new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
  // Plain wallets, which ask the chain for their nonce at each transaction: a refused call
  // takes none (ethers' NonceManager would count it and leave a gap).
  deployer = new Wallet(DEPLOYER_KEY, provider);
  user = new Wallet(USER_KEY, provider);
});

after(async () => {
  provider?.destroy();
  await anvil?.stop();
});

test('ETH and token deposits carry their memo in an event; ETH sent without a call is recorded and returned', async () => {
  const vault = await deployVault(signerKeys(3), 2);
  const memo = hexlify(toUtf8Bytes('cc/1 transfer 7'));
  const userAddress = await user.getAddress();

  const [eth] = await eventsOf(vault, vault.connect(user).deposit(memo, { value: ETH }));
  assert.deepEqual([eth.name, ...eth.args], ['Deposited', userAddress, ZERO, ETH, memo]);
  await refused(vault.connect(user).deposit(memo, { value: 0 }), 'ZeroDeposit');

  const token = await deploy('TestToken', 1_000n * ETH);
  await (await token.transfer(userAddress, 10n * ETH)).wait();
  await (await token.connect(user).approve(await vault.getAddress(), 3n * ETH)).wait();
  const deposited = (await eventsOf(vault, vault.connect(user).depositToken(await token.getAddress(), 3n * ETH, memo)))
    .find((event) => event.name === 'Deposited');
  assert.deepEqual([...deposited.args], [userAddress, await token.getAddress(), 3n * ETH, memo]);
  assert.equal(await token.balanceOf(await vault.getAddress()), 3n * ETH);

  const before = await provider.getBalance(await vault.getAddress());
  const [returned] = await eventsOf(vault, user.sendTransaction({ to: await vault.getAddress(), value: ETH / 2n }));
  assert.deepEqual([returned.name, ...returned.args], ['Returned', userAddress, ETH / 2n]);
  assert.equal(await provider.getBalance(await vault.getAddress()), before, 'nothing kept');
});

test('a deposit made through a contract is recorded with the contract as its sender', async () => {
  const vault = await deployVault(signerKeys(3), 2);
  const forwarder = await deploy('Forwarder');
  const memo = hexlify(toUtf8Bytes('cc/1 from a smart wallet'));
  const call = vault.interface.encodeFunctionData('deposit', [memo]);
  const [event] = await eventsOf(vault, forwarder.connect(user).forward(await vault.getAddress(), call, { value: ETH }));
  assert.deepEqual([event.name, ...event.args], ['Deposited', await forwarder.getAddress(), ZERO, ETH, memo]);
  // ETH a contract sends without a call goes back to it.
  const plain = forwarder.connect(user).forward(await vault.getAddress(), '0x', { value: ETH });
  const [returned] = await eventsOf(vault, plain);
  assert.equal(returned.name, 'Returned');
  assert.equal(returned.args.sender, await forwarder.getAddress());
});

test('a batch signed by the threshold pays once, each payment alone; fewer signatures are refused', async () => {
  const keys = signerKeys(3);
  const vault = await deployVault(keys, 2);
  const vaultAddress = await vault.getAddress();
  await (await vault.connect(user).deposit('0x', { value: 5n * ETH })).wait();
  const token = await deploy('TestToken', 1_000n * ETH);
  await (await token.approve(vaultAddress, 10n * ETH)).wait();
  await (await vault.depositToken(await token.getAddress(), 10n * ETH, '0x')).wait();

  const [alice, bob] = [Wallet.createRandom().address, Wallet.createRandom().address];
  // The token contract takes no ETH: that payment fails and its amount stays in the vault.
  const payments = [payment(alice, ETH), payment(bob, 4n * ETH, await token.getAddress()), payment(await token.getAddress(), ETH)];
  const domain = await domainOf(vault);
  assert.equal(await vault.batchDigest(0, payments), TypedDataEncoder.hash(domain, BATCH_TYPES, { nonce: 0, payments }));

  await refused(vault.execute(0, payments, await signBatch(keys.slice(0, 1), domain, 0, payments)), 'NotEnoughSignatures');
  const twice = await signBatch([keys[0]], domain, 0, payments);
  await refused(vault.execute(0, payments, [...twice, ...twice]), 'SignaturesNotOrdered');
  const stranger = await signBatch(signerKeys(1), domain, 0, payments);
  await refused(vault.execute(0, payments, [...await signBatch([keys[0]], domain, 0, payments), ...stranger]), 'NotASigner');

  const signatures = await signBatch(keys.slice(1), domain, 0, payments);
  const paid = (await eventsOf(vault, vault.execute(0, payments, signatures))).filter((event) => event.name === 'Paid');
  assert.deepEqual(paid.map((event) => event.args.success), [true, true, false]);
  assert.equal(await provider.getBalance(alice), ETH);
  assert.equal(await token.balanceOf(bob), 4n * ETH);
  assert.equal(await provider.getBalance(vaultAddress), 4n * ETH, 'the failed payment stayed');
  assert.equal(await vault.nonce(), 1n);
  // Paid once: the same batch and signatures again are refused.
  await refused(vault.execute(0, payments, signatures), 'WrongNonce');
  assert.equal(await provider.getBalance(alice), ETH);
});

test('signatures are bound to their nonce, chain and vault', async () => {
  const keys = signerKeys(3);
  const vault = await deployVault(keys, 2);
  const other = await deployVault(keys, 2);
  await (await vault.connect(user).deposit('0x', { value: 2n * ETH })).wait();
  await (await other.connect(user).deposit('0x', { value: 2n * ETH })).wait();
  const payments = [payment(Wallet.createRandom().address, ETH)];
  const domain = await domainOf(vault);

  // Signed for nonce 1, sent as nonce 0: they recover to other addresses.
  await refused(vault.execute(0, payments, await signBatch(keys.slice(0, 2), domain, 1, payments)), 'NotASigner');
  // Signed for another chain id.
  const otherChain = await domainOf(vault, 1n);
  await refused(vault.execute(0, payments, await signBatch(keys.slice(0, 2), otherChain, 0, payments)), 'NotASigner');
  // Signed for the other vault, sent to this one.
  const forOther = await signBatch(keys.slice(0, 2), await domainOf(other), 0, payments);
  await refused(vault.execute(0, payments, forOther), 'NotASigner');
  // Signed for another batch of payments.
  const changed = [payment(payments[0].to, 2n * ETH)];
  await refused(vault.execute(0, changed, await signBatch(keys.slice(0, 2), domain, 0, payments)), 'NotASigner');
  assert.equal(await vault.nonce(), 0n, 'nothing was executed');
  // What the other vault's signers signed for it is paid there.
  await (await other.execute(0, payments, forOther)).wait();
  assert.equal(await provider.getBalance(payments[0].to), ETH);
});

test('the signer set changes only on a rotation signed by the current set', async () => {
  const oldKeys = signerKeys(3);
  const newKeys = signerKeys(4);
  const vault = await deployVault(oldKeys, 2);
  await (await vault.connect(user).deposit('0x', { value: 2n * ETH })).wait();
  const domain = await domainOf(vault);
  const rotation = { nonce: 0, signers: newKeys.map((key) => key.address), threshold: 3 };
  const signRotation = (keys) => Promise.all(keys.map((key) => key.signTypedData(domain, ROTATION_TYPES, rotation)));
  assert.equal(await vault.rotationDigest(0, rotation.signers, 3), TypedDataEncoder.hash(domain, ROTATION_TYPES, rotation));

  // The new set cannot hand the vault to itself, nor can one old signer.
  await refused(vault.rotate(0, rotation.signers, 3, await signRotation(newKeys.slice(0, 3))), 'NotASigner');
  await refused(vault.rotate(0, rotation.signers, 3, await signRotation(oldKeys.slice(0, 1))), 'NotEnoughSignatures');
  // A set whose threshold is no majority is refused even when the old set signs it.
  const weak = { nonce: 0, signers: rotation.signers, threshold: 2 };
  const weakSignatures = await Promise.all(oldKeys.slice(0, 2).map((key) => key.signTypedData(domain, ROTATION_TYPES, weak)));
  await refused(vault.rotate(0, weak.signers, 2, weakSignatures), 'BadSignerSet');

  const [rotated] = await eventsOf(vault, vault.rotate(0, rotation.signers, 3, await signRotation(oldKeys.slice(1))));
  assert.equal(rotated.name, 'SignersRotated');
  assert.deepEqual((await vault.signers()).map(getAddress), rotation.signers.map(getAddress));
  assert.equal(await vault.threshold(), 3n);

  // From now on the old set moves nothing, and the new set's threshold does.
  const payments = [payment(Wallet.createRandom().address, ETH)];
  await refused(vault.execute(1, payments, await signBatch(oldKeys, domain, 1, payments)), 'NotASigner');
  await refused(vault.execute(1, payments, await signBatch(newKeys.slice(0, 2), domain, 1, payments)), 'NotEnoughSignatures');
  await (await vault.execute(1, payments, await signBatch(newKeys.slice(1), domain, 1, payments))).wait();
  assert.equal(await provider.getBalance(payments[0].to), ETH);
});

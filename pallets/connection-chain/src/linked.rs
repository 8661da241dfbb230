//! The words the pallet, its off-chain worker and the runtime share about the linked chains:
//! what a worker reads from a linked block ([`BlockScan`]), the vault transactions it signs
//! ([`SignedTx`]), how a linked Substrate chain's runtime encodes them
//! ([`SubstrateRuntimeCodec`], supplied by the runtime through [`crate::Config::SubstrateCodec`]),
//! and how an observation is identified and a report signed.
//!
//! Nothing here does I/O: the worker ([`crate::offchain`]) reads and writes the chains, the
//! runtime decodes and encodes their data, and the pallet counts what the workers report.

use crate::types::*;
use alloc::vec::Vec;
use codec::{Decode, Encode};
use sp_core::H256;
use sp_runtime::generic::Era;

/// A deposit into the vault, as read from a final block.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SeenDeposit {
	/// The transaction and its block.
	pub tx: LinkedTx,
	/// Who sent it.
	pub from: LinkedAccount,
	/// How much reached the vault.
	pub amount: LinkedAmount,
	/// The memo it carries ([`crate::memo`]); empty if none.
	pub memo: Vec<u8>,
}

/// A transaction signed by the vault, as read from a final block.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VaultTx {
	/// The transaction and its block.
	pub tx: LinkedTx,
	/// The vault nonce it took.
	pub nonce: u64,
	/// What it paid and to whom, if it was a plain transfer of the chain's asset.
	pub transfer: Option<(LinkedAccount, LinkedAmount)>,
	/// Whether it succeeded.
	pub outcome: Result<(), FailureReason>,
	/// What it cost the vault in fees.
	pub fee: LinkedAmount,
}

/// What one final block holds that concerns the vault.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct BlockScan {
	/// The block.
	pub block: LinkedBlock,
	/// Deposits into the vault.
	pub deposits: Vec<SeenDeposit>,
	/// Transactions of the vault. A multisig vault's executed batch gives one per payment,
	/// in the batch's order, all with the batch's nonce.
	pub vault_txs: Vec<VaultTx>,
	/// Batches of a multisig vault opened in this block.
	pub openings: Vec<SeenOpening>,
}

/// The opening of a multisig vault's batch, as read from a final block.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SeenOpening {
	/// The batch's nonce.
	pub nonce: u64,
	/// Where it was opened, and which call.
	pub opening: MultisigOpening,
}

/// What a multisig vault's batch pays: the call its signers approve.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VaultBatchCall {
	/// The batch's nonce, which the call carries, so that no two batches make the same call.
	pub nonce: u64,
	/// Each payment's recipient and amount; none for the call that only closes the batch.
	pub payments: Vec<([u8; 32], LinkedAmount)>,
}

/// One authority's approval of a multisig vault's batch, as a `pallet-multisig` call.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MultisigApproval {
	/// Approvals the call needs.
	pub threshold: u16,
	/// The vault's other signers, in ascending order.
	pub other_signatories: Vec<[u8; 32]>,
	/// The opening it approves (height, extrinsic index); `None` opens the batch.
	pub timepoint: Option<(u64, u32)>,
	/// The batch.
	pub call: VaultBatchCall,
}

/// A pending `pallet-multisig` operation, as the linked chain stores it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PendingMultisig {
	/// Where it was opened (height, extrinsic index).
	pub timepoint: (u64, u32),
	/// Who approved it so far.
	pub approvals: Vec<[u8; 32]>,
}

/// A vault transaction signed by the worker, ready to submit.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct SignedTx {
	/// Its hash on the linked chain.
	pub hash: H256,
	/// The encoded transaction.
	pub raw: Vec<u8>,
	/// Last linked block it can be included in (a mortal Substrate extrinsic); `None` if it
	/// stays valid until its nonce is taken.
	pub valid_until: Option<u64>,
}

/// What a signed extrinsic of the linked chain commits to besides its call.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SubstrateTxParams {
	/// The vault's nonce.
	pub nonce: u64,
	/// The linked chain's genesis hash.
	pub genesis_hash: H256,
	/// Its runtime's spec version.
	pub spec_version: u32,
	/// Its runtime's transaction version.
	pub transaction_version: u32,
	/// The extrinsic's era.
	pub era: Era,
	/// The hash of the block the era starts at.
	pub era_birth_hash: H256,
}

/// How the linked Substrate chain's runtime encodes what the worker reads and writes.
pub trait SubstrateRuntimeCodec {
	/// What block `block` holds that concerns `vault`, from its encoded extrinsics and its
	/// encoded `System::Events`: deposits, the vault's own transactions and, for a multisig
	/// vault, the batches opened and executed. `None` if they cannot be decoded.
	fn scan_block(
		block: LinkedBlock,
		extrinsics: &[Vec<u8>],
		events: &[u8],
		vault: &[u8; 32],
	) -> Option<BlockScan>;

	/// The free balance and the next nonce in an encoded `System::Account` entry.
	fn decode_account(raw: &[u8]) -> Option<(LinkedAmount, u64)>;

	/// The `pallet-multisig` account of `signers` (in any order) with `threshold`.
	fn multisig_account(signers: &[[u8; 32]], threshold: u16) -> [u8; 32];

	/// The hash `pallet-multisig` knows the call of `batch` by.
	fn batch_call_hash(batch: &VaultBatchCall) -> [u8; 32];

	/// The storage key of the pending operation of the multisig account `vault` on the call
	/// `call_hash`.
	fn pending_multisig_key(vault: &[u8; 32], call_hash: &[u8; 32]) -> Vec<u8>;

	/// The pending operation in an encoded `Multisig::Multisigs` entry.
	fn decode_pending_multisig(raw: &[u8]) -> Option<PendingMultisig>;

	/// The extrinsic of a vault that is one account (a one-validator chain's: its validator's
	/// signer account), mortal and bound to the chain as `params` say: a transfer of `amount` to
	/// `recipient`, or, without one, a call that moves nothing and only takes the nonce. `sign`
	/// signs the signing payload with the vault's key.
	fn signed_extrinsic(
		transfer: Option<([u8; 32], LinkedAmount)>,
		params: &SubstrateTxParams,
		signer: [u8; 32],
		sign: &dyn Fn(&[u8]) -> Option<[u8; 64]>,
	) -> Option<Vec<u8>>;

	/// `signer`'s extrinsic approving a multisig vault's batch (`as_multi`), mortal and bound
	/// to the chain as `params` say; `sign` signs its signing payload with `signer`'s key.
	fn multisig_extrinsic(
		approval: &MultisigApproval,
		params: &SubstrateTxParams,
		signer: [u8; 32],
		sign: &dyn Fn(&[u8]) -> Option<[u8; 64]>,
	) -> Option<Vec<u8>>;
}

/// The storage key of `System::Events`.
pub fn events_key() -> Vec<u8> {
	[sp_io::hashing::twox_128(b"System"), sp_io::hashing::twox_128(b"Events")].concat()
}

/// The storage key of `System::Account(account)`.
pub fn account_key(account: &[u8; 32]) -> Vec<u8> {
	[
		&sp_io::hashing::twox_128(b"System")[..],
		&sp_io::hashing::twox_128(b"Account"),
		&sp_io::hashing::blake2_128(account),
		account,
	]
	.concat()
}

/// Domain separator of report signatures (v2: a report carries a list of observations).
pub const REPORT_CONTEXT: &[u8] = b"connection-chain/report/v2";

/// What an authority signs to report `observations`: the domain separator, the chain's genesis
/// hash (so a report cannot be replayed on another chain running this runtime), the
/// authority's index and the observations, in order.
pub fn signing_payload<Hash: Encode, AccountId: Encode>(
	genesis_hash: &Hash,
	authority: u32,
	observations: &[Observation<AccountId>],
) -> Vec<u8> {
	(REPORT_CONTEXT, genesis_hash, authority, observations).encode()
}

/// The identity of an observation: votes are counted per hash.
///
/// Encoded on the stack: the pool, the block and the worker hash every observation of every
/// report, the worker each pending one at every save, and in the runtime a heap allocation
/// is a host call. An observation too long for the buffer (none is, with 32-byte accounts)
/// is encoded on the heap.
pub fn observation_hash<AccountId: Encode>(observation: &Observation<AccountId>) -> H256 {
	let mut buffer = StackBuffer { bytes: [0; STACK_BUFFER_BYTES], len: 0, overflowed: false };
	observation.encode_to(&mut buffer);
	match buffer.bytes.get(..buffer.len) {
		Some(encoded) if !buffer.overflowed => sp_io::hashing::blake2_256(encoded).into(),
		_ => sp_io::hashing::blake2_256(&observation.encode()).into(),
	}
}

/// Bytes of [`StackBuffer`]: more than the longest observation with 32-byte accounts.
const STACK_BUFFER_BYTES: usize = 256;

/// An encoding output of fixed size that notes when what was written did not fit.
struct StackBuffer {
	bytes: [u8; STACK_BUFFER_BYTES],
	len: usize,
	overflowed: bool,
}

impl codec::Output for StackBuffer {
	fn write(&mut self, data: &[u8]) {
		let end = self.len.saturating_add(data.len());
		match self.bytes.get_mut(self.len..end) {
			Some(free) if !self.overflowed => {
				free.copy_from_slice(data);
				self.len = end;
			}
			_ => self.overflowed = true,
		}
	}
}

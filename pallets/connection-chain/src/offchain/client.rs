//! What the worker needs of a linked chain, one implementation per [`ChainKind`] ([`evm`],
//! [`substrate`]), and the errors a pass on a chain stops on.
//!
//! [`evm`]: super::evm
//! [`substrate`]: super::substrate

use super::json_rpc::RpcError;
use crate::{linked::*, types::*};
use alloc::vec::Vec;
use sp_core::H256;

/// The value kept in `cell`, computed by `init` the first time it is asked for (a failure leaves
/// the cell empty). The clients keep what every transaction of one pass shares this way.
pub(crate) fn read_once<T: Clone>(
	cell: &core::cell::OnceCell<T>,
	init: impl FnOnce() -> Result<T, WorkerError>,
) -> Result<T, WorkerError> {
	if let Some(value) = cell.get() {
		return Ok(value.clone());
	}
	let value = init()?;
	let _ = cell.set(value.clone());
	Ok(value)
}

/// Why submitting a transaction failed.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum SubmitError {
	/// The vault cannot pay the transaction's fee.
	CannotPayFees,
	/// Any other failure.
	Rpc(RpcError),
}

/// Why a run on a chain stopped early.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum WorkerError {
	/// A call to the chain's endpoint failed.
	Rpc(RpcError),
	/// The chain's data could not be read or the transaction not be built.
	Codec(&'static str),
	/// The keystore did not sign.
	Signing,
}

impl From<RpcError> for WorkerError {
	fn from(error: RpcError) -> Self {
		WorkerError::Rpc(error)
	}
}

/// What the worker needs from a linked chain of one kind: watch it, and build, sign, submit and
/// check the vault's transactions on it. One implementation per [`ChainKind`].
pub trait LinkedChainClient {
	/// The newest block that counts as final.
	fn final_head(&self) -> Result<LinkedBlock, WorkerError>;
	/// The block at `number`.
	fn block_at(&self, number: u64) -> Result<LinkedBlock, WorkerError>;
	/// What the final block `number` holds that concerns the vault.
	fn scan(&self, number: u64) -> Result<BlockScan, WorkerError>;
	/// The vault's balance and next nonce at block `at`.
	fn vault_state(&self, at: &LinkedBlock) -> Result<VaultSnapshot, WorkerError>;
	/// The vault's next nonce as of the newest block (final or not), and that block's number.
	fn vault_nonce(&self) -> Result<(u64, u64), WorkerError>;
	/// Submits signed transactions (in JSON-RPC batches where the endpoint takes them); one
	/// outcome per transaction, in their order. Submitting one the chain already knows is not
	/// an error.
	fn submit(&self, txs: &[&SignedTx]) -> Vec<Result<(), SubmitError>>;
	/// The block each transaction is in, if it is in one (final or not); one answer per hash,
	/// in their order.
	fn inclusions(&self, tx_hashes: &[H256]) -> Vec<Result<Option<LinkedTx>, WorkerError>>;
}

/// A linked chain whose vault is one account (a one-validator chain's: that validator's own
/// signer account), signed for by the node that holds its key.
pub trait VaultKeyClient: LinkedChainClient {
	/// Whether this node's keystore holds the vault's key.
	fn can_sign(&self) -> bool;
	/// Builds and signs the vault's transaction with `nonce`: a transfer of `amount` to
	/// `recipient`, or, without one, a transaction that moves nothing and only takes the nonce.
	fn sign(
		&self,
		transfer: Option<(LinkedAccount, LinkedAmount)>,
		nonce: u64,
	) -> Result<SignedTx, WorkerError>;
}

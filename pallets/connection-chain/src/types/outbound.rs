//! What the vaults send (outbound instructions) and receive (deposits and their references).

use super::*;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::DispatchError;

/// Why the vault makes an outbound transfer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum OutboundPurpose<AccountId> {
	/// Pay the recipient of a transfer (destination chain).
	Payout(TransferId),
	/// Settle the held deposits of a batch of transfers to their operator (source chain): the
	/// transfers in [`crate::SettlementBatches`] under this id, the id of the instruction that
	/// opened the batch (a retry keeps it).
	Settlement(InstructionId),
	/// Return a transfer's held deposit to its sender (source chain).
	Refund(TransferId),
	/// Pay an operator's liquidity back to its settlement account.
	Withdrawal(AccountId),
	/// Return a deposit that matched nothing, or had the wrong amount.
	DepositReturn(H256),
}

/// Where an outbound instruction is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum OutboundStatus {
	/// Waiting for its transaction to be included on the chain.
	Pending,
	/// Its transaction is in a block of the chain, not yet final.
	Included {
		/// The transaction and its block.
		tx: LinkedTx,
	},
	/// Final on the chain.
	Final,
	/// Definitively failed; nothing moved.
	Failed,
	/// Reached its attempt limit; waits for an admin to retry it.
	Stuck,
}

/// A transfer the vault of a linked chain must make, executed exactly once by the workers.
#[derive(Clone, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct OutboundInstruction<AccountId, BlockNumber> {
	/// Chain whose vault pays.
	pub chain: ChainId,
	/// Why.
	pub purpose: OutboundPurpose<AccountId>,
	/// Who receives.
	pub recipient: LinkedAccount,
	/// How much.
	pub amount: LinkedAmount,
	/// The vault account nonce its transaction must use, assigned when it is created. Every
	/// worker signs the instruction with this nonce, so at most one transaction for it can ever
	/// land, however often it is resent. A vault contract's or multisig vault's nonce is a batch's:
	/// the instructions of one block, paid by one call.
	pub nonce: u64,
	/// Where it is.
	pub status: OutboundStatus,
	/// Which attempt this is (1 for the first); a failed settlement, refund or return is tried
	/// again as a new instruction with the next attempt number.
	pub attempt: u8,
	/// Set once its deadline passed: the workers stop resending it and take its nonce with a
	/// transaction that moves nothing, then report it dead (or final, if it landed first).
	pub cancel_requested: bool,
	/// When it was created.
	pub created: BlockNumber,
}

/// Proof that an outbound transaction can never be included.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum DeadProof {
	/// The vault nonce assigned to the instruction is taken by another, final transaction of
	/// the vault (the workers' cancelling transaction, or one made outside the connection
	/// chain). A nonce is the only thing that proves a transaction dead: an expired or dropped
	/// transaction leaves its nonce free, so a copy of it could still land.
	NonceConsumed {
		/// The nonce.
		nonce: u64,
		/// The transaction that took it.
		by_tx: H256,
	},
}

/// What a deposit into a vault says it is for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum DepositReference<AccountId> {
	/// The deposit of a transfer.
	Transfer(TransferId),
	/// Liquidity of an operator.
	Liquidity(AccountId),
	/// Nothing recognisable.
	Unknown,
	/// Opens a new transfer under `rule` with this deposit as its source leg: the sender is the
	/// deposit's sender, the amount what reached the vault. It is priced when the deposit is
	/// counted, and refused (the deposit returned) if that gives less than `min_received` or
	/// a request with the same terms would be refused.
	NewTransfer {
		/// The operator's rule: source chain (where the deposit is made), destination chain,
		/// rate and fee.
		rule: RuleId,
		/// Who receives the payout on the destination chain.
		recipient: LinkedAccount,
		/// The least the recipient accepts to receive.
		min_received: LinkedAmount,
	},
}

/// Why a deposit was not accepted (it is returned to its sender).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum DepositRejection {
	/// The deposit names no transfer or operator.
	UnknownReference,
	/// The deposit names a transfer that does not exist.
	UnknownTransfer,
	/// The deposit names a registered operator that is not (or no longer) one.
	UnknownOperator,
	/// The deposit was made on another chain than the transfer's source chain.
	WrongChain,
	/// The deposit came from another account than the transfer's sender.
	WrongSender,
	/// The deposit's amount differs from the transfer's.
	WrongAmount,
	/// The transfer no longer waits for a deposit (already held, expired or cancelled).
	NotAwaitingDeposit,
	/// The deposit became final after the transfer's deposit deadline.
	TooLate,
	/// The deposit would open a transfer that a request with the same terms could not make
	/// (the error such a request gets: unknown rule, chain paused, malformed recipient, amount
	/// out of the rule's bounds, below `min_received`, not enough liquidity, ...), or its
	/// transfer's payout deadline finds no slot now (`DeadlineQueueFull`; a requested transfer
	/// then still awaits a deposit until its deposit deadline).
	TransferRefused(DispatchError),
}

impl From<DispatchError> for DepositRejection {
	fn from(error: DispatchError) -> Self {
		DepositRejection::TransferRefused(error)
	}
}

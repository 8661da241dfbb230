//! Transfers: the record of each, with its state, hold state and trail.

use super::*;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::BoundedVec;
use scale_info::TypeInfo;
use sp_core::H256;

/// One side of a transfer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct Leg {
	/// The linked chain.
	pub chain: ChainId,
	/// Source leg: the account that sends the deposit. Destination leg: the recipient.
	pub account: LinkedAccount,
	/// Amount moved on that chain.
	pub amount: LinkedAmount,
}

/// Where a transfer is in its lifecycle.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum TransferState {
	/// Waiting for the requester's deposit into the source vault.
	AwaitingDeposit,
	/// Deposit held; the payout to the recipient is being made.
	PayingOut,
	/// Payout final; the held deposit is being settled to the operator.
	Settling,
	/// The payout cannot land; the held deposit is being returned to the sender.
	Refunding,
	/// Terminal: paid out and settled.
	Completed,
	/// Terminal: the held deposit went back to the sender.
	Refunded,
	/// Terminal: no deposit came by the deadline; nothing moved.
	Expired,
	/// Terminal: cancelled by the requester before any deposit; nothing moved.
	Cancelled,
}

impl TransferState {
	/// Whether the transfer has ended.
	pub fn is_terminal(&self) -> bool {
		matches!(self, Self::Completed | Self::Refunded | Self::Expired | Self::Cancelled)
	}

	/// Where the source asset is in this state: it is held from the deposit to the payout's
	/// outcome, then confirmed to the operator or returned to its sender.
	pub fn hold(&self) -> HoldState {
		match self {
			Self::AwaitingDeposit => HoldState::AwaitingDeposit,
			Self::PayingOut => HoldState::Held,
			Self::Settling | Self::Completed => HoldState::ConfirmedToOperator,
			Self::Refunding | Self::Refunded => HoldState::ReturnedToSender,
			Self::Expired | Self::Cancelled => HoldState::NeverDeposited,
		}
	}
}

/// The state of the source asset.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum HoldState {
	/// No deposit yet.
	AwaitingDeposit,
	/// In the source vault, not yet confirmed to anyone.
	Held,
	/// Confirmed to the operator (settlement underway or done).
	ConfirmedToOperator,
	/// Returned to the sender (refund underway or done).
	ReturnedToSender,
	/// Never deposited (the transfer expired or was cancelled).
	NeverDeposited,
}

/// The kind of a step in a transfer's trail.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum StepKind {
	/// The request on the connection chain.
	Request,
	/// The sender's deposit into the source vault.
	Deposit,
	/// The vault's payout to the recipient on the destination chain.
	Payout,
	/// The held deposit sent to the operator's settlement account on the source chain.
	Settlement,
	/// The held deposit returned to the sender.
	Refund,
	/// The deposit deadline passed with no deposit.
	Expiry,
	/// The requester cancelled before any deposit.
	Cancellation,
}

/// Why a step failed.
#[derive(Clone, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum FailureReason {
	/// The transaction was included but reverted / its dispatch failed.
	Reverted,
	/// The vault lacked the funds or the fee for the transaction.
	InsufficientVaultFunds,
	/// The transaction can provably never be included.
	Dead(DeadProof),
	/// Anything else the linked chain reported.
	Other(BoundedVec<u8, MaxReasonLen>),
}

/// Outcome of a step.
#[derive(Clone, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum StepResult {
	/// Requested, not yet seen on the linked chain.
	Pending,
	/// Submitted to the linked chain, not yet final.
	Submitted,
	/// Final on the linked chain (or done, for steps on the connection chain).
	Succeeded,
	/// Failed.
	Failed(FailureReason),
}

/// A point in the connection chain's history.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct Stamp<BlockNumber> {
	/// Connection-chain block.
	pub block: BlockNumber,
	/// Connection-chain time of that block.
	pub time: Moment,
}

/// One step of a transfer's trail.
#[derive(Clone, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct TrailStep<BlockNumber> {
	/// What the step is.
	pub kind: StepKind,
	/// The linked chain it happens on; `None` for steps on the connection chain only.
	pub chain: Option<ChainId>,
	/// The outbound instruction executing it, for vault transfers.
	pub instruction: Option<InstructionId>,
	/// Amount moved.
	pub amount: LinkedAmount,
	/// The linked chain's transaction hash, once known.
	pub tx_hash: Option<H256>,
	/// The linked chain's block that includes it, once final.
	pub block: Option<LinkedBlock>,
	/// Outcome.
	pub result: StepResult,
	/// When the step was requested on the connection chain.
	pub requested: Stamp<BlockNumber>,
	/// When the step was fixed (reached its outcome) on the connection chain.
	pub fixed: Option<Stamp<BlockNumber>>,
}

/// A cross-chain transfer: one record with its whole trail.
#[derive(Clone, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct Transfer<AccountId, Balance, BlockNumber> {
	/// Who requested it on the connection chain; `None` for a transfer opened by its deposit
	/// alone ([`DepositReference::NewTransfer`]).
	pub requester: Option<AccountId>,
	/// The rule it was made under.
	pub rule: RuleId,
	/// The operator paying out.
	pub operator: AccountId,
	/// The campaign applied, if any.
	pub campaign: Option<CampaignId>,
	/// What the sender deposits, from which account, on which chain.
	pub source: Leg,
	/// What the recipient receives, on which chain.
	pub destination: Leg,
	/// Fee in source units, included in `source.amount`.
	pub fee: LinkedAmount,
	/// Least the requester accepted to receive.
	pub min_received: LinkedAmount,
	/// The requester's reference, unique per requester (makes a repeated request idempotent).
	pub client_reference: BoundedVec<u8, MaxClientReferenceLen>,
	/// Last block at which the deposit is accepted.
	pub deposit_deadline: BlockNumber,
	/// Last block by which the payout must be final, once the deposit is held.
	pub payout_deadline: Option<BlockNumber>,
	/// Lifecycle state.
	pub state: TransferState,
	/// State of the source asset: always `state.hold()`, stored for clients
	/// ([`TransferState::hold`]).
	pub hold: HoldState,
	/// The account the accepted deposit actually came from (refunds go there).
	pub depositor: Option<LinkedAccount>,
	/// Deposit held from the requester while the record is open (spam protection).
	pub requester_deposit: Balance,
	/// Every step so far, in order.
	pub trail: BoundedVec<TrailStep<BlockNumber>, MaxTrailSteps>,
}

/// A page of a listing: items and where the next page starts.
#[derive(Clone, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, TypeInfo)]
pub struct Page<Item> {
	/// Items of this page.
	pub items: alloc::vec::Vec<Item>,
	/// Where to start the next page; `None` on the last page.
	pub next: Option<TransferId>,
}

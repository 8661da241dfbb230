//! The data the pallet stores and the calls carry.
//!
//! Amounts on a linked chain ([`LinkedAmount`]) are in that chain's smallest unit (planck on a
//! Substrate chain, wei on an EVM chain). Amounts on the connection chain itself (operator bonds,
//! requester deposits, campaign holding thresholds) are in the connection chain's currency.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::ConstU32, BoundedVec};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::{DispatchError, Perbill};

/// Identifier of a linked chain, assigned at registration.
pub type ChainId = u32;
/// Identifier of an exchange rule.
pub type RuleId = u32;
/// Identifier of a promotional campaign.
pub type CampaignId = u32;
/// Identifier of a cross-chain transfer.
pub type TransferId = u64;
/// Identifier of an outbound instruction (a transfer the vault must make on a linked chain).
pub type InstructionId = u64;
/// An amount on a linked chain, in its smallest unit.
pub type LinkedAmount = u128;
/// A timestamp in milliseconds since the Unix epoch (the connection chain's clock).
pub type Moment = u64;

/// Longest chain name, in bytes.
pub type MaxNameLen = ConstU32<32>;
/// Longest asset symbol, in bytes.
pub type MaxSymbolLen = ConstU32<12>;
/// Longest failure description reported from a linked chain, in bytes.
pub type MaxReasonLen = ConstU32<64>;
/// Most steps one transfer's trail can hold (request, deposit, payout, settlement or refund,
/// with the retries of each; see [`MAX_OUTBOUND_ATTEMPTS`]).
pub type MaxTrailSteps = ConstU32<16>;
/// Longest client reference, in bytes.
pub type MaxClientReferenceLen = ConstU32<32>;

/// How many times one outbound step (settlement, refund, deposit return) is attempted before
/// it waits for an admin to retry it.
pub const MAX_OUTBOUND_ATTEMPTS: u8 = 4;

/// The architecture of a linked chain. It decides the account format, how deposits are
/// recognised and how the vault signs.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum ChainKind {
	/// A Substrate chain: 32-byte accounts, sr25519 vault key.
	Substrate,
	/// An EVM chain: 20-byte addresses, secp256k1 vault key.
	Evm,
}

/// An account on a linked chain, in the format of that chain's kind.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum LinkedAccount {
	/// A 32-byte Substrate account id.
	Substrate([u8; 32]),
	/// A 20-byte EVM address.
	Evm([u8; 20]),
}

impl AsRef<[u8]> for LinkedAccount {
	fn as_ref(&self) -> &[u8] {
		match self {
			LinkedAccount::Substrate(account) => account,
			LinkedAccount::Evm(address) => address,
		}
	}
}

impl LinkedAccount {
	/// Reads raw bytes as an account of a chain of `kind`; `None` if they are not one.
	pub fn parse(kind: ChainKind, raw: &[u8]) -> Option<Self> {
		match kind {
			ChainKind::Substrate => raw.try_into().ok().map(LinkedAccount::Substrate),
			ChainKind::Evm => raw.try_into().ok().map(LinkedAccount::Evm),
		}
	}

	/// The kind of chain this account belongs to.
	pub fn kind(&self) -> ChainKind {
		match self {
			LinkedAccount::Substrate(_) => ChainKind::Substrate,
			LinkedAccount::Evm(_) => ChainKind::Evm,
		}
	}
}

/// Whether a linked chain takes new transfers.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum ChainStatus {
	/// Takes new requests.
	Active,
	/// Takes no new requests; transfers already in flight finish or refund as usual.
	Paused,
}

/// The asset a linked chain carries.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct AssetInfo {
	/// Ticker, e.g. `ETH`.
	pub symbol: BoundedVec<u8, MaxSymbolLen>,
	/// Decimals of the smallest unit (18 for ETH).
	pub decimals: u8,
}

/// How long a new transfer may take at each stage, in connection-chain blocks.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct DeadlineWindows<BlockNumber> {
	/// From the request to the deposit's report; afterwards the transfer expires.
	pub deposit: BlockNumber,
	/// From the deposit to the payout's final report; afterwards the workers must stop the
	/// payout and prove it dead before the deposit is refunded.
	pub payout: BlockNumber,
}

/// A cap on what may leave a linked chain (as the source of transfers) per period.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct VolumeLimit<BlockNumber> {
	/// Largest total source amount requested per period.
	pub max_per_period: LinkedAmount,
	/// Length of a period in connection-chain blocks.
	pub period: BlockNumber,
}

/// A chain linked to the connection chain.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct LinkedChain<BlockNumber> {
	/// Architecture of the chain.
	pub kind: ChainKind,
	/// Human-readable name.
	pub name: BoundedVec<u8, MaxNameLen>,
	/// The asset carried.
	pub asset: AssetInfo,
	/// The vault (escrow) account on that chain, controlled by the validators' vault key.
	pub vault: LinkedAccount,
	/// Blocks on top of a transaction's block before it counts as final (for chains without
	/// finality; a Substrate chain's GRANDPA-finalized blocks count as final regardless).
	pub confirmations: u32,
	/// Whether the chain takes new requests.
	pub status: ChainStatus,
	/// Cap on the volume requested from this chain per period.
	pub volume_limit: VolumeLimit<BlockNumber>,
}

/// What the vault of a linked chain holds, as the pallet accounts for it. The vault's real
/// balance must equal [`VaultLedger::expected_vault_balance`] (plus whatever the vault holds for
/// its own fees).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct VaultLedger {
	/// Deposits of transfers on hold (not yet settled to the operator or refunded).
	pub held: LinkedAmount,
	/// Operators' liquidity on this chain, free and reserved.
	pub operator_liquidity: LinkedAmount,
	/// Amounts of outbound instructions not yet final on the chain.
	pub pending_outbound: LinkedAmount,
	/// Fees the vault paid on its chain that no operator's liquidity could cover. Non-zero
	/// means the vault holds less than it owes: someone must top it up.
	pub unpaid_fees: LinkedAmount,
}

impl VaultLedger {
	/// What the vault should hold on its chain; `None` if the fees it paid exceed everything
	/// it holds.
	pub fn expected_vault_balance(&self) -> Option<LinkedAmount> {
		self.held
			.checked_add(self.operator_liquidity)?
			.checked_add(self.pending_outbound)?
			.checked_sub(self.unpaid_fees)
	}
}

/// A vault's balance and account nonce at a block of its chain, as the workers read them.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct VaultSnapshot {
	/// The vault's balance.
	pub balance: LinkedAmount,
	/// The vault account's next nonce.
	pub nonce: u64,
	/// The block they were read at.
	pub at: LinkedBlock,
}

/// An operator's liquidity on one linked chain, kept in that chain's vault.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct Liquidity {
	/// Available for new payouts and withdrawals.
	pub free: LinkedAmount,
	/// Promised to transfers in flight, not yet paid out.
	pub reserved: LinkedAmount,
	/// Everything ever deposited (audit figure).
	pub total_deposited: LinkedAmount,
	/// Everything ever paid out to recipients (audit figure).
	pub total_paid_out: LinkedAmount,
	/// Everything ever withdrawn (audit figure).
	pub total_withdrawn: LinkedAmount,
	/// Fees the vault paid on this chain for the operator's transfers, taken from `free`
	/// (audit figure; the rules' fees are what pays the operator back).
	pub total_fees: LinkedAmount,
}

impl Liquidity {
	/// Whether no liquidity is left, free or reserved.
	pub fn is_empty(&self) -> bool {
		self.free == 0 && self.reserved == 0
	}
}

/// An operator (exchange provider).
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct OperatorInfo<Balance> {
	/// The bond held on the connection chain while registered.
	pub bond: Balance,
	/// Transfers of this operator that have not reached a terminal state.
	pub open_transfers: u32,
	/// Number of rules of this operator.
	pub rules: u32,
	/// Withdrawals of this operator not yet final on their chain.
	pub pending_withdrawals: u32,
}

/// An exact exchange rate: `numerator / denominator` units of the destination asset per unit
/// of the source asset (both in their smallest units).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct ExchangeRate {
	/// Destination units.
	pub numerator: u128,
	/// Per this many source units; never zero.
	pub denominator: u128,
}

/// A fee: a fixed part plus a proportional part, both charged in the source asset.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct FeeSchedule {
	/// Charged on every transfer, in source units. It also pays the linked chains' transaction
	/// fees the vaults spend on the transfer.
	pub fixed: LinkedAmount,
	/// Share of the amount charged on top of the fixed part (rounded down).
	pub proportional: Perbill,
}

/// An operator's offer for one ordered pair of linked chains.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Rule<AccountId, BlockNumber> {
	/// The operator paying out on the destination chain.
	pub operator: AccountId,
	/// Chain the requester sends from.
	pub source_chain: ChainId,
	/// Chain the recipient receives on.
	pub destination_chain: ChainId,
	/// What the operator offers.
	pub terms: RuleTerms<BlockNumber>,
}

/// The terms of a rule: rate, fee, limits and validity window.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct RuleTerms<BlockNumber> {
	/// Base exchange rate.
	pub rate: ExchangeRate,
	/// Base fee.
	pub fee: FeeSchedule,
	/// Smallest source amount accepted.
	pub min_amount: LinkedAmount,
	/// Largest source amount accepted.
	pub max_amount: LinkedAmount,
	/// First block at which the rule applies.
	pub valid_from: BlockNumber,
	/// Last block at which the rule applies; `None` for no end.
	pub valid_until: Option<BlockNumber>,
}

/// A time-boxed promotion on a rule: a better rate or fee, optionally only for requesters who
/// hold enough on the connection chain, optionally up to a volume budget.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Campaign<Balance, BlockNumber> {
	/// The rule it improves.
	pub rule: RuleId,
	/// What the campaign offers, to whom and for how long.
	pub terms: CampaignTerms<Balance, BlockNumber>,
	/// Source amount of the transfers the campaign applied to so far (released again when a
	/// transfer ends without completing).
	pub used: LinkedAmount,
}

/// The terms of a campaign: window, rate or fee, holding condition and budget.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct CampaignTerms<Balance, BlockNumber> {
	/// First block of the campaign.
	pub starts_at: BlockNumber,
	/// Last block of the campaign.
	pub ends_at: BlockNumber,
	/// Rate replacing the rule's, if any.
	pub rate: Option<ExchangeRate>,
	/// Fee replacing the rule's, if any.
	pub fee: Option<FeeSchedule>,
	/// Only requesters holding at least this much on the connection chain qualify.
	pub min_holding: Option<Balance>,
	/// Largest total source amount the campaign applies to.
	pub budget: Option<LinkedAmount>,
}

/// What a requester gets for an amount under a rule at a given moment.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct Quote {
	/// Amount the requester deposits on the source chain.
	pub amount_in: LinkedAmount,
	/// Fee, in source units, kept by the operator.
	pub fee: LinkedAmount,
	/// Amount the recipient receives on the destination chain:
	/// `floor((amount_in - fee) * rate)`.
	pub amount_out: LinkedAmount,
	/// Rate applied.
	pub rate: ExchangeRate,
	/// Campaign applied, if one gave a better result than the rule.
	pub campaign: Option<CampaignId>,
}

/// Why no quote can be given.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum QuoteError {
	/// No rule with this id.
	UnknownRule,
	/// The rule is outside its validity window.
	RuleNotValid,
	/// The amount is below the rule's minimum.
	AmountTooSmall,
	/// The amount is above the rule's maximum.
	AmountTooLarge,
	/// The fee takes the whole amount.
	FeeExceedsAmount,
	/// The recipient would receive nothing.
	NothingReceived,
	/// The amounts overflow.
	Overflow,
}

/// One side of a transfer.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct Leg {
	/// The linked chain.
	pub chain: ChainId,
	/// Source leg: the account that sends the deposit. Destination leg: the recipient.
	pub account: LinkedAccount,
	/// Amount moved on that chain.
	pub amount: LinkedAmount,
}

/// Where a transfer is in its lifecycle.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
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
}

/// The state of the source asset.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
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
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
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
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
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
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
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

/// A block of a linked chain.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct LinkedBlock {
	/// Block number.
	pub number: u64,
	/// Block hash.
	pub hash: H256,
}

/// A transaction on a linked chain and the block that includes it.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct LinkedTx {
	/// Transaction hash (EVM) or extrinsic hash (Substrate).
	pub hash: H256,
	/// The block that includes it.
	pub block: LinkedBlock,
}

/// A point in the connection chain's history.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct Stamp<BlockNumber> {
	/// Connection-chain block.
	pub block: BlockNumber,
	/// Connection-chain time of that block.
	pub time: Moment,
}

/// One step of a transfer's trail.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
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
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
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
	/// State of the source asset.
	pub hold: HoldState,
	/// The account the accepted deposit actually came from (refunds go there).
	pub depositor: Option<LinkedAccount>,
	/// Deposit held from the requester while the record is open (spam protection).
	pub requester_deposit: Balance,
	/// Every step so far, in order.
	pub trail: BoundedVec<TrailStep<BlockNumber>, MaxTrailSteps>,
}

/// Why the vault makes an outbound transfer.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
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
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
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
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
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
	/// land, however many validators hold the vault key and however often they resend.
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
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
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
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
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
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
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

/// What a validator's off-chain worker saw on a linked chain and reports.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub enum Observation<AccountId> {
	/// A deposit into a vault, final on its chain.
	Deposit {
		/// The chain.
		chain: ChainId,
		/// The deposit transaction.
		tx: LinkedTx,
		/// Who sent it.
		from: LinkedAccount,
		/// How much reached the vault.
		amount: LinkedAmount,
		/// What it says it is for.
		reference: DepositReference<AccountId>,
	},
	/// An outbound instruction's transaction is in a block, not yet final.
	OutboundIncluded {
		/// The instruction.
		instruction: InstructionId,
		/// The transaction and its block.
		tx: LinkedTx,
	},
	/// An outbound instruction is final on its chain.
	OutboundFinal {
		/// The instruction.
		instruction: InstructionId,
		/// The transaction and its block.
		tx: LinkedTx,
		/// What the transaction cost the vault in fees.
		fee: LinkedAmount,
	},
	/// An outbound instruction's transaction is final but failed; nothing moved but the fee.
	OutboundFailed {
		/// The instruction.
		instruction: InstructionId,
		/// The transaction and its block.
		tx: LinkedTx,
		/// Why it failed.
		reason: FailureReason,
		/// What the transaction cost the vault in fees.
		fee: LinkedAmount,
	},
	/// An outbound instruction can provably never land.
	OutboundDead {
		/// The instruction.
		instruction: InstructionId,
		/// The proof.
		proof: DeadProof,
		/// What the transaction that took the nonce cost the vault in fees.
		fee: LinkedAmount,
	},
	/// A vault's balance and account nonce at a block of its chain.
	VaultState {
		/// The chain.
		chain: ChainId,
		/// What the vault held and its nonce.
		snapshot: VaultSnapshot,
	},
	/// The vault cannot pay the fee of an instruction's transaction.
	VaultCannotPayFees {
		/// The instruction.
		instruction: InstructionId,
	},
}

/// What observations about the same thing share: reports with the same subject but different
/// content conflict.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum ObservationSubject {
	/// A deposit transaction on a chain.
	Deposit(ChainId, H256),
	/// The inclusion of an outbound instruction's transaction in a block.
	Inclusion(InstructionId),
	/// The outcome of an outbound instruction (final, failed or dead).
	Outcome(InstructionId),
	/// A vault's balance and nonce at a block.
	VaultState(ChainId, u64),
	/// A vault unable to pay an instruction's fee.
	FeeShortage(InstructionId),
}

impl<AccountId> Observation<AccountId> {
	/// What this observation is about.
	pub fn subject(&self) -> ObservationSubject {
		match self {
			Observation::Deposit { chain, tx, .. } => ObservationSubject::Deposit(*chain, tx.hash),
			Observation::OutboundIncluded { instruction, .. } => {
				ObservationSubject::Inclusion(*instruction)
			}
			Observation::OutboundFinal { instruction, .. }
			| Observation::OutboundFailed { instruction, .. }
			| Observation::OutboundDead { instruction, .. } => ObservationSubject::Outcome(*instruction),
			Observation::VaultState { chain, snapshot } => {
				ObservationSubject::VaultState(*chain, snapshot.at.number)
			}
			Observation::VaultCannotPayFees { instruction } => {
				ObservationSubject::FeeShortage(*instruction)
			}
		}
	}
}

/// A page of a listing: items and where the next page starts.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct Page<Item> {
	/// Items of this page.
	pub items: alloc::vec::Vec<Item>,
	/// Where to start the next page; `None` on the last page.
	pub next: Option<TransferId>,
}

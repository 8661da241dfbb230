//! Operators: their liquidity, rules, campaigns, and the quotes the rules give.

use super::*;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

/// An operator's liquidity on one linked chain, kept in that chain's vault.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
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
#[derive(Clone, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
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
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct ExchangeRate {
	/// Destination units.
	pub numerator: u128,
	/// Per this many source units; never zero.
	pub denominator: u128,
}

/// A fee: a fixed part plus a proportional part, both charged in the source asset.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct FeeSchedule {
	/// Charged on every transfer, in source units. It also pays the linked chains' transaction
	/// fees the vaults spend on the transfer.
	pub fixed: LinkedAmount,
	/// Share of the amount charged on top of the fixed part (rounded down).
	pub proportional: Perbill,
}

/// An operator's offer for one ordered pair of linked chains.
#[derive(Clone, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
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
#[derive(Clone, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
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
#[derive(Clone, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
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
#[derive(Clone, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
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
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
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
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
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

//! The data the pallet stores and the calls carry.
//!
//! Amounts on a linked chain ([`LinkedAmount`]) are in that chain's smallest unit (planck on a
//! Substrate chain, wei on an EVM chain). Amounts on the connection chain itself (operator bonds,
//! requester deposits, campaign holding thresholds) are in the connection chain's currency.

use frame_support::traits::ConstU32;

mod chain;
mod custody;
mod observation;
mod operator;
mod outbound;
mod transfer;

pub use chain::*;
pub use custody::*;
pub use observation::*;
pub use operator::*;
pub use outbound::*;
pub use transfer::*;

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

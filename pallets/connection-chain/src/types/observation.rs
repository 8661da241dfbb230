//! What the validators' off-chain workers observe on the linked chains and report.

use super::*;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::H256;

/// What a validator's off-chain worker saw on a linked chain and reports.
#[derive(Clone, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
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
	/// The reporting authority approves the batch `nonce` of a chain's vault contract: its
	/// signature over the batch's EIP-712 digest ([`crate::vault_contract::batch_digest`]) of
	/// its payments, or (`takes_nonce_only`) of the empty batch. Not voted on: it counts once
	/// it verifies against the authority's signer.
	BatchApproval {
		/// The chain.
		chain: ChainId,
		/// The batch's vault nonce.
		nonce: u64,
		/// Whether this approves the empty batch that only takes the nonce.
		takes_nonce_only: bool,
		/// The signature.
		signature: VaultSignature,
	},
	/// A batch of a chain's multisig vault was opened (its first `as_multi`) in a final block.
	MultisigOpened {
		/// The chain.
		chain: ChainId,
		/// The batch's nonce.
		nonce: u64,
		/// Where, and which call.
		opening: MultisigOpening,
	},
}

/// What observations about the same thing share: reports with the same subject but different
/// content conflict.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
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
	/// The approvals of a chain's batch.
	Approval(ChainId, u64),
	/// An opening of a version of a multisig vault's batch (the payments, or the call that
	/// only closes it).
	Opening(ChainId, u64, bool),
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
			Observation::BatchApproval { chain, nonce, .. } => {
				ObservationSubject::Approval(*chain, *nonce)
			}
			Observation::MultisigOpened { chain, nonce, opening } => {
				ObservationSubject::Opening(*chain, *nonce, opening.takes_nonce_only)
			}
		}
	}
}

//! Who controls a vault: the signer set of a vault contract or multisig account, the approvals
//! of a contract's batches and where a multisig batch was opened.

use super::*;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::BoundedVec;
use scale_info::TypeInfo;

/// Most signers a vault can have (one per attestation authority).
pub type MaxVaultSigners = ConstU32<32>;
/// Most payments one vault batch carries: the instructions a chain gets in one block, beyond
/// which the next batch (nonce) starts.
pub type MaxBatchPayments = ConstU32<32>;

/// A secp256k1 signature with its recovery id (65 bytes: r, s, v with v 0 or 1).
pub type VaultSignature = [u8; 65];

/// Who controls a linked chain's vault.
#[derive(Clone, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum VaultCustody {
	/// An EVM chain's vault contract.
	Contract(ContractCustody),
	/// A Substrate chain's multisig account.
	Multisig(MultisigCustody),
}

impl VaultCustody {
	/// The chain kind this custody is for.
	pub fn chain_kind(&self) -> ChainKind {
		match self {
			Self::Contract(_) => ChainKind::Evm,
			Self::Multisig(_) => ChainKind::Substrate,
		}
	}

	/// How many signers it has.
	pub fn signer_count(&self) -> u32 {
		match self {
			Self::Contract(custody) => custody.signers.len() as u32,
			Self::Multisig(custody) => custody.signers.len() as u32,
		}
	}

	/// How many of them must sign.
	pub fn threshold(&self) -> u32 {
		match self {
			Self::Contract(custody) => custody.threshold,
			Self::Multisig(custody) => u32::from(custody.threshold),
		}
	}

	/// Whether the set is one its vault accepts and the pallet can work with: at least one
	/// signer, no signer twice, no all-zero key, and a threshold that is a majority of the set.
	pub fn is_well_formed(&self) -> bool {
		match self {
			Self::Contract(custody) => is_majority_set(&custody.signers, custody.threshold),
			// `pallet-multisig` needs two approvals at least (one is a plain account).
			Self::Multisig(custody) => {
				custody.threshold >= 2
					&& is_majority_set(&custody.signers, u32::from(custody.threshold))
			}
		}
	}
}

fn is_majority_set<const N: usize>(signers: &[[u8; N]], threshold: u32) -> bool {
	let count = signers.len() as u32;
	let mut sorted = signers.to_vec();
	sorted.sort_unstable();
	sorted.dedup();
	count > 0
		&& sorted.len() as u32 == count
		&& !sorted.contains(&[0; N])
		&& threshold <= count
		&& threshold.saturating_mul(2) > count
}

/// The vault of an EVM chain: a contract (`contracts/ConnectionVault.sol`) that pays a batch
/// only on `threshold` signatures of its signer set over the batch's EIP-712 digest.
#[derive(Clone, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct ContractCustody {
	/// The EVM chain id the contract's EIP-712 domain binds.
	pub evm_chain_id: u64,
	/// The signing address of each attestation authority, in the authorities' order: the
	/// authority at index `i` approves with the key of `signers[i]`. The contract holds the
	/// same set (in ascending order).
	pub signers: BoundedVec<[u8; 20], MaxVaultSigners>,
	/// Signatures a batch needs: a majority of the signers, as the contract requires.
	pub threshold: u32,
}

/// The vault of a Substrate chain: the `pallet-multisig` account of the authorities' own
/// accounts on that chain, which moves funds only on `threshold` of them approving the same
/// call.
#[derive(Clone, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct MultisigCustody {
	/// Each attestation authority's account on the linked chain, in the authorities' order.
	pub signers: BoundedVec<[u8; 32], MaxVaultSigners>,
	/// Approvals a call needs: a majority of the signers.
	pub threshold: u16,
}

/// Where the first opening of a multisig batch is on its chain: `pallet-multisig`'s timepoint,
/// which every other approval must name. Only the first opening the authorities attest is
/// approved, so a batch that was paid and then opened again is never paid twice.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct MultisigOpening {
	/// Whether it opened the call that only closes the batch (pays nothing).
	pub takes_nonce_only: bool,
	/// The hash of the call it opened, as `pallet-multisig` knows it: only the batch's own call
	/// is recorded, so a signer opening another call under the batch's nonce blocks nothing.
	pub call_hash: [u8; 32],
	/// The linked block it is in.
	pub height: u64,
	/// Its extrinsic's index in that block.
	pub index: u32,
}

/// The batch a chain's vault nonce pays: its instructions, in the order the contract pays them.
pub type BatchInstructions = BoundedVec<InstructionId, MaxBatchPayments>;

/// The approvals of one version of a batch (the payments, or the empty batch that only takes
/// its nonce), as the authorities reported them.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct BatchApprovals<BlockNumber> {
	/// Each approving authority's index and signature, in the order they came.
	pub signatures: BoundedVec<(u32, VaultSignature), MaxVaultSigners>,
	/// The block at which the threshold was reached; submitters take turns from it.
	pub complete_at: Option<BlockNumber>,
}

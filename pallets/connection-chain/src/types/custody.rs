//! Who controls a vault: the signer set of a vault contract and the approvals of its batches.

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

/// The vault of an EVM chain: a contract (`contracts/ConnectionVault.sol`) that pays a batch
/// only on `threshold` signatures of its signer set over the batch's EIP-712 digest.
#[derive(Clone, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct VaultCustody {
	/// The EVM chain id the contract's EIP-712 domain binds.
	pub evm_chain_id: u64,
	/// The signing address of each attestation authority, in the authorities' order: the
	/// authority at index `i` approves with the key of `signers[i]`. The contract holds the
	/// same set (in ascending order).
	pub signers: BoundedVec<[u8; 20], MaxVaultSigners>,
	/// Signatures a batch needs: a majority of the signers, as the contract requires.
	pub threshold: u32,
}

impl VaultCustody {
	/// Whether the set is one the contract accepts: at least one signer, no signer twice, no
	/// zero address, and a threshold that is a majority of the set.
	pub fn is_well_formed(&self) -> bool {
		let count = self.signers.len() as u32;
		let mut sorted = self.signers.to_vec();
		sorted.sort_unstable();
		sorted.dedup();
		count > 0
			&& sorted.len() as u32 == count
			&& !sorted.contains(&[0; 20])
			&& self.threshold <= count
			&& self.threshold.saturating_mul(2) > count
	}
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

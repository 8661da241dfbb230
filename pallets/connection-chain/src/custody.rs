//! Custody of the vault contracts: the signer set of each EVM chain's vault, the batches its
//! instructions are paid in, and the authorities' approvals of each batch.
//!
//! A chain with a [`VaultCustody`] has a contract for a vault (`contracts/ConnectionVault.sol`)
//! that pays a batch of payments only on signatures of `threshold` of its signers over the
//! batch's EIP-712 digest, which binds the chain id, the contract, the vault nonce and every
//! payment. The instructions a block creates for the chain form one batch (up to
//! [`MaxBatchPayments`]) under one vault nonce. Each authority's worker signs the batches it
//! sees and reports the signature ([`Observation::BatchApproval`]); the pallet counts it once it
//! recovers to that authority's signer. Once `threshold` approvals are on chain, the workers
//! take turns to submit the batch ([`crate::offchain::threshold`]); the contract executes a nonce
//! once, in order. A batch whose instruction the pallet asked to cancel is replaced by the
//! empty batch, which moves nothing and only takes the nonce.

use crate::{
	pallet::*,
	types::*,
	vault_contract::{batch_digest, recover_signer, Payment},
};
use alloc::vec::Vec;
use frame_support::{ensure, pallet_prelude::*};

impl<T: Config> Pallet<T> {
	/// Makes the vault of the EVM chain `chain` a contract controlled by `custody`.
	pub(crate) fn do_set_vault_custody(chain: ChainId, custody: VaultCustody) -> DispatchResult {
		let linked = Chains::<T>::get(chain).ok_or(Error::<T>::UnknownChain)?;
		let authorities = Authorities::<T>::decode_len().unwrap_or(0);
		ensure!(linked.kind == ChainKind::Evm, Error::<T>::BadCustody);
		ensure!(custody.is_well_formed(), Error::<T>::BadCustody);
		ensure!(custody.signers.len() == authorities, Error::<T>::BadCustody);
		let (signers, threshold) = (custody.signers.len() as u32, custody.threshold);
		VaultCustodies::<T>::insert(chain, custody);
		Self::deposit_event(Event::VaultCustodySet { chain, signers, threshold });
		Ok(())
	}

	/// The vault nonce of the new instruction `id` of `chain`: the chain's next nonce, or, for a
	/// vault contract, the nonce of the batch this block fills, which the instruction joins.
	pub(crate) fn assign_vault_nonce(chain: ChainId, id: InstructionId) -> u64 {
		if !VaultCustodies::<T>::contains_key(chain) {
			return Self::take_vault_nonce(chain);
		}
		let now = frame_system::Pallet::<T>::block_number();
		if let Some((block, nonce)) = FillingBatch::<T>::get(chain) {
			let joined = block == now
				&& VaultBatches::<T>::mutate(chain, nonce, |batch| batch.try_push(id).is_ok());
			if joined {
				return nonce;
			}
		}
		let nonce = Self::take_vault_nonce(chain);
		let mut batch = BatchInstructions::new();
		let _ = batch.try_push(id);
		VaultBatches::<T>::insert(chain, nonce, batch);
		FillingBatch::<T>::insert(chain, (now, nonce));
		nonce
	}

	fn take_vault_nonce(chain: ChainId) -> u64 {
		NextVaultNonce::<T>::mutate(chain, |next| {
			let nonce = *next;
			*next = next.saturating_add(1);
			nonce
		})
	}

	/// The payments of the open batch `nonce` of `chain`, in the order the contract pays them;
	/// `None` if it is not open or pays something other than an EVM address.
	pub fn batch_payments(chain: ChainId, nonce: u64) -> Option<Vec<Payment>> {
		let batch = VaultBatches::<T>::get(chain, nonce);
		if batch.is_empty() {
			return None;
		}
		batch
			.iter()
			.map(|id| {
				let instruction = Outbound::<T>::get(id)?;
				match instruction.recipient {
					LinkedAccount::Evm(to) => Some(Payment { to, amount: instruction.amount }),
					LinkedAccount::Substrate(_) => None,
				}
			})
			.collect()
	}

	/// The digest the signers of `chain`'s vault sign for its open batch `nonce` (or, with
	/// `takes_nonce_only`, for the empty batch in its place), and the custody it is signed under.
	pub fn batch_digest_of(
		chain: ChainId,
		nonce: u64,
		takes_nonce_only: bool,
	) -> Option<([u8; 32], VaultCustody)> {
		let custody = VaultCustodies::<T>::get(chain)?;
		let LinkedAccount::Evm(contract) = Chains::<T>::get(chain)?.vault else { return None };
		let payments = Self::batch_payments(chain, nonce)?;
		let payments = if takes_nonce_only { &[][..] } else { &payments[..] };
		Some((batch_digest(custody.evm_chain_id, &contract, nonce, payments), custody))
	}

	/// Whether `authority` has yet to approve this version of the open batch `nonce`.
	pub fn approval_awaited(
		chain: ChainId,
		nonce: u64,
		takes_nonce_only: bool,
		authority: u32,
	) -> bool {
		VaultBatches::<T>::contains_key(chain, nonce)
			&& !Approvals::<T>::get((chain, nonce, takes_nonce_only))
				.signatures
				.iter()
				.any(|(approver, _)| *approver == authority)
	}

	/// Counts `authority`'s approval of a batch if its signature recovers to the authority's
	/// signer. Returns whether it was counted.
	pub(crate) fn apply_approval(
		authority: u32,
		chain: ChainId,
		nonce: u64,
		takes_nonce_only: bool,
		signature: VaultSignature,
	) -> bool {
		let Some((digest, custody)) = Self::batch_digest_of(chain, nonce, takes_nonce_only) else {
			return false;
		};
		let signer = custody.signers.get(authority as usize).copied();
		if signer.is_none() || recover_signer(&signature, &digest) != signer {
			Self::deposit_event(Event::ApprovalRefused { chain, nonce, authority });
			return false;
		}
		let now = frame_system::Pallet::<T>::block_number();
		let approvals = Approvals::<T>::mutate((chain, nonce, takes_nonce_only), |approvals| {
			// One slot per signer, and the signers are as many as the authorities.
			let _ = approvals.signatures.try_push((authority, signature));
			let count = approvals.signatures.len() as u32;
			if count >= custody.threshold && approvals.complete_at.is_none() {
				approvals.complete_at = Some(now);
			}
			count
		});
		Self::deposit_event(Event::BatchApproved {
			chain,
			nonce,
			takes_nonce_only,
			authority,
			approvals,
		});
		true
	}

	/// The batch `nonce` of `chain` was paid or cancelled (one of its instructions concluded):
	/// its list and approvals go, and nothing approves it again.
	pub(crate) fn close_batch(chain: ChainId, nonce: u64) {
		if VaultBatches::<T>::contains_key(chain, nonce) {
			VaultBatches::<T>::remove(chain, nonce);
			Approvals::<T>::remove((chain, nonce, false));
			Approvals::<T>::remove((chain, nonce, true));
		}
	}
}

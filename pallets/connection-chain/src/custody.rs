//! Custody of the vaults: the signer set of each vault, the batches its instructions are paid
//! in, the authorities' approvals of each contract batch and the opening of each multisig batch.
//!
//! ## Vault contracts (EVM)
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
//!
//! ## Multisig vaults (Substrate)
//!
//! A chain with a [`VaultCustody::Multisig`] keeps its vault as the `pallet-multisig` account
//! of the authorities' own accounts there. A batch is one call
//! ([`crate::linked::VaultBatchCall`]: its nonce, then each payment), so no two batches share a
//! call hash. One authority (by the same rotation, [`crate::offchain::multisig`]) opens it with
//! `as_multi`; once the authorities attest where ([`Observation::MultisigOpened`]), the others
//! approve that operation (its timepoint) and the threshold-th approval executes it. Only the
//! first attested opening is approved: an operation that executed is gone from the chain, so a
//! batch paid once cannot be approved again. A batch whose instruction the pallet asked to cancel
//! before its opening was attested is opened as the call that pays nothing; once opened, a batch
//! is approved as it was opened.

use crate::{
	linked::{SubstrateRuntimeCodec, VaultBatchCall},
	pallet::*,
	types::*,
	vault_contract::{batch_digest, recover_signer, Payment},
};
use alloc::vec::Vec;
use frame_support::{ensure, pallet_prelude::*};

impl<T: Config> Pallet<T> {
	/// Hands the vault of `chain` to `custody`.
	pub(crate) fn do_set_vault_custody(chain: ChainId, custody: VaultCustody) -> DispatchResult {
		let linked = Chains::<T>::get(chain).ok_or(Error::<T>::UnknownChain)?;
		let authorities = Authorities::<T>::decode_len().unwrap_or(0);
		ensure!(linked.kind == custody.chain_kind(), Error::<T>::BadCustody);
		ensure!(custody.is_well_formed(), Error::<T>::BadCustody);
		ensure!(custody.signer_count() as usize == authorities, Error::<T>::BadCustody);
		if let VaultCustody::Multisig(multisig) = &custody {
			// The vault must be the account the signers control, or nothing could pay.
			let account =
				T::SubstrateCodec::multisig_account(&multisig.signers, multisig.threshold);
			ensure!(linked.vault == LinkedAccount::Substrate(account), Error::<T>::BadCustody);
		}
		let (signers, threshold) = (custody.signer_count(), custody.threshold());
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

	/// The contract custody of `chain`, if its vault is a contract.
	pub fn contract_custody(chain: ChainId) -> Option<ContractCustody> {
		match VaultCustodies::<T>::get(chain)? {
			VaultCustody::Contract(custody) => Some(custody),
			VaultCustody::Multisig(_) => None,
		}
	}

	/// The multisig custody of `chain`, if its vault is a multisig account.
	pub fn multisig_custody(chain: ChainId) -> Option<MultisigCustody> {
		match VaultCustodies::<T>::get(chain)? {
			VaultCustody::Multisig(custody) => Some(custody),
			VaultCustody::Contract(_) => None,
		}
	}

	/// The instructions of the open batch `nonce` of `chain`, in the order the vault pays them;
	/// `None` if it is not open.
	fn batch_instructions(chain: ChainId, nonce: u64) -> Option<Vec<InstructionOf<T>>> {
		let batch = VaultBatches::<T>::get(chain, nonce);
		if batch.is_empty() {
			return None;
		}
		batch.iter().map(Outbound::<T>::get).collect()
	}

	/// The payments of the open batch `nonce` of `chain`, in the order the contract pays them;
	/// `None` if it is not open or pays something other than an EVM address.
	pub fn batch_payments(chain: ChainId, nonce: u64) -> Option<Vec<Payment>> {
		Self::batch_instructions(chain, nonce)?
			.into_iter()
			.map(|instruction| match instruction.recipient {
				LinkedAccount::Evm(to) => Some(Payment { to, amount: instruction.amount }),
				LinkedAccount::Substrate(_) => None,
			})
			.collect()
	}

	/// The call a multisig vault's signers approve for the open batch `nonce` of `chain`: its
	/// payments, or, with `takes_nonce_only`, none. `None` if the batch is not open or pays
	/// something other than a Substrate account.
	pub fn batch_call(
		chain: ChainId,
		nonce: u64,
		takes_nonce_only: bool,
	) -> Option<VaultBatchCall> {
		Self::multisig_call(nonce, &Self::batch_instructions(chain, nonce)?, takes_nonce_only)
	}

	fn multisig_call(
		nonce: u64,
		instructions: &[InstructionOf<T>],
		takes_nonce_only: bool,
	) -> Option<VaultBatchCall> {
		let payments = instructions
			.iter()
			.map(|instruction| match instruction.recipient {
				LinkedAccount::Substrate(to) => Some((to, instruction.amount)),
				LinkedAccount::Evm(_) => None,
			})
			.collect::<Option<Vec<_>>>()?;
		Some(VaultBatchCall {
			nonce,
			payments: if takes_nonce_only { Vec::new() } else { payments },
		})
	}

	/// Records where the batch `nonce` of `chain`'s multisig vault was first opened. Returns
	/// whether it was recorded: the batch is open, had no opening yet, and the opening is of
	/// its own call (the call that pays nothing only once the pallet asked to cancel one of
	/// its instructions), so that no signer alone can block a batch or have it refunded.
	pub(crate) fn apply_multisig_opening(
		chain: ChainId,
		nonce: u64,
		opening: MultisigOpening,
	) -> bool {
		if MultisigOpenings::<T>::contains_key(chain, nonce) {
			return false;
		}
		let Some(instructions) = Self::batch_instructions(chain, nonce) else { return false };
		let Some(call) = Self::multisig_call(nonce, &instructions, opening.takes_nonce_only) else {
			return false;
		};
		let cancel_requested = instructions.iter().any(|instruction| instruction.cancel_requested);
		if T::SubstrateCodec::batch_call_hash(&call) != opening.call_hash
			|| (opening.takes_nonce_only && !cancel_requested)
		{
			return false;
		}
		MultisigOpenings::<T>::insert(chain, nonce, opening);
		Self::deposit_event(Event::MultisigOpened { chain, nonce, opening });
		true
	}

	/// The digest the signers of `chain`'s vault sign for its open batch `nonce` (or, with
	/// `takes_nonce_only`, for the empty batch in its place), and the custody it is signed under.
	pub fn batch_digest_of(
		chain: ChainId,
		nonce: u64,
		takes_nonce_only: bool,
	) -> Option<([u8; 32], ContractCustody)> {
		let custody = Self::contract_custody(chain)?;
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
			MultisigOpenings::<T>::remove(chain, nonce);
		}
	}
}

//! Settling a multisig vault: each authority's worker signs, with its own signer key, the
//! `pallet-multisig` approvals of the vault's open batches and submits them from its own account
//! on the linked chain (see [`crate::custody`] for why this pays each batch once).
//!
//! For each open batch, [`next_step`] decides from the pallet's state and the linked chain's:
//! - no opening attested yet and none pending there: the authority whose turn it is (the
//!   rotation of [`super::threshold::submit_turn`], counted from the block the batch was created
//!   at) opens it;
//! - an opening attested, pending there at that timepoint, and without this authority's
//!   approval: it approves it (the threshold-th approval executes the batch);
//! - anything else: nothing to do (the batch is being opened, waits for attestation, or has
//!   executed and waits for the watcher).
//!
//! An authority has at most one transaction per batch in flight, until the batch closes or the
//! transaction's era ends ([`store::Submission`]).

use super::{
	client::*,
	reports::Reports,
	store::{self, Submission},
	substrate::SubstrateClient,
	threshold::{open_batches, submit_turn, SUBMIT_TURN_BLOCKS},
};
use crate::{
	linked::{MultisigApproval, PendingMultisig},
	pallet::*,
	types::*,
	LOG_TARGET,
};
use alloc::vec::Vec;
use sp_runtime::traits::UniqueSaturatedInto;

/// What this authority does for one open batch of a multisig vault.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Step {
	/// Opens it (`as_multi` without a timepoint).
	Open,
	/// Approves the attested opening at this timepoint.
	Approve((u64, u32)),
	/// Nothing, for now.
	Wait,
}

/// This authority's step on a batch: `attested` is the opening the pallet recorded, `pending`
/// the vault's operation on the batch's call on the linked chain, `me` this authority's account
/// there, and `my_turn` whether the rotation lets it open the batch now.
pub fn next_step(
	attested: Option<MultisigOpening>,
	pending: Option<&PendingMultisig>,
	me: &[u8; 32],
	my_turn: bool,
) -> Step {
	match (attested, pending) {
		(Some(opening), Some(pending))
			if pending.timepoint == (opening.height, opening.index)
				&& !pending.approvals.contains(me) =>
		{
			Step::Approve(pending.timepoint)
		}
		(None, None) if my_turn => Step::Open,
		_ => Step::Wait,
	}
}

impl<T: Config> Pallet<T> {
	/// Opens and approves the open batches of `chain_id`'s multisig vault (see the module doc),
	/// at connection-chain block `now`, with the linked chain's final head at `final_number`.
	pub(crate) fn settle_by_multisig(
		chain_id: ChainId,
		client: &SubstrateClient<T::SubstrateCodec>,
		reports: &Reports<T>,
		open: &[(InstructionId, InstructionOf<T>)],
		now: u64,
		final_number: u64,
	) -> Result<(), WorkerError> {
		let Some(authority) = reports.authority() else { return Ok(()) };
		let Some(custody) = Self::multisig_custody(chain_id) else { return Ok(()) };
		let Some(me) = custody.signers.get(authority as usize).copied() else { return Ok(()) };
		let Some(key) = SubstrateClient::<T::SubstrateCodec>::signer_key(&me) else {
			if now % 100 == 1 {
				log::warn!(target: LOG_TARGET, "linked chain {chain_id}: this node's keystore lacks the sr25519 signer key of authority {authority}; it does not approve the vault's batches");
			}
			return Ok(());
		};
		let batches = open_batches(open);
		let mut submissions = store::submissions(chain_id);
		// A transaction ends being in flight with its batch or its era.
		submissions.retain(|submission| {
			batches.iter().any(|batch| batch.nonce == submission.nonce)
				&& submission.tx.valid_until.is_none_or(|until| until >= final_number)
		});
		let mut other_signatories: Vec<[u8; 32]> =
			custody.signers.iter().copied().filter(|signer| *signer != me).collect();
		other_signatories.sort_unstable();
		let count = custody.signers.len() as u32;
		let mut next_nonce: Option<u64> = None;
		let mut to_send = Vec::new();
		for batch in &batches {
			if submissions.iter().any(|submission| submission.nonce == batch.nonce) {
				continue;
			}
			let attested = MultisigOpenings::<T>::get(chain_id, batch.nonce);
			// Once opened, a batch is approved as it was opened.
			let takes_nonce_only = attested.map_or(batch.takes_nonce_only, |o| o.takes_nonce_only);
			let Some(call) = Self::batch_call(chain_id, batch.nonce, takes_nonce_only) else {
				continue;
			};
			let pending = client.pending_multisig(&call)?;
			let created = open
				.iter()
				.filter(|(_, instruction)| instruction.nonce == batch.nonce)
				.map(|(_, instruction)| instruction.created.unique_saturated_into())
				.min()
				.unwrap_or(now);
			let wait =
				submit_turn(batch.nonce, authority, count).saturating_mul(SUBMIT_TURN_BLOCKS);
			let my_turn = now >= created.saturating_add(wait);
			let timepoint = match next_step(attested, pending.as_ref(), &me, my_turn) {
				Step::Open => None,
				Step::Approve(timepoint) => Some(timepoint),
				Step::Wait => continue,
			};
			let sender_nonce = match next_nonce {
				Some(nonce) => nonce,
				None => {
					// Past this signer's transactions still in flight.
					let mined = client.account_nonce(&me)?;
					let in_flight = submissions.iter().map(|s| s.sender_nonce.saturating_add(1));
					in_flight.fold(mined, u64::max)
				}
			};
			let approval = MultisigApproval {
				threshold: custody.threshold,
				other_signatories: other_signatories.clone(),
				timepoint,
				call,
			};
			let tx = client.sign_approval(&key, &approval, sender_nonce)?;
			next_nonce = Some(sender_nonce.saturating_add(1));
			to_send.push(tx.clone());
			submissions.push(Submission {
				nonce: batch.nonce,
				takes_nonce_only,
				sender_nonce,
				tx,
				broadcast_at: final_number,
			});
		}
		store::set_submissions(chain_id, &submissions);
		let refs: Vec<_> = to_send.iter().collect();
		for outcome in client.submit(&refs) {
			if let Err(error) = outcome {
				log::warn!(target: LOG_TARGET, "linked chain {chain_id}: a multisig approval was refused: {error:?}");
			}
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const ME: [u8; 32] = [1; 32];
	const OTHER: [u8; 32] = [2; 32];

	fn opening(height: u64, index: u32) -> MultisigOpening {
		MultisigOpening { takes_nonce_only: false, call_hash: [7; 32], height, index }
	}

	fn pending(timepoint: (u64, u32), approvals: &[[u8; 32]]) -> PendingMultisig {
		PendingMultisig { timepoint, approvals: approvals.to_vec() }
	}

	#[test]
	fn only_the_authority_in_turn_opens_a_batch_nobody_opened() {
		assert_eq!(next_step(None, None, &ME, true), Step::Open);
		assert_eq!(next_step(None, None, &ME, false), Step::Wait);
		// Opened on the linked chain, not yet attested: nobody opens it again.
		assert_eq!(next_step(None, Some(&pending((5, 1), &[OTHER])), &ME, true), Step::Wait);
	}

	#[test]
	fn the_attested_opening_is_approved_once_and_no_other() {
		let attested = Some(opening(5, 1));
		assert_eq!(
			next_step(attested, Some(&pending((5, 1), &[OTHER])), &ME, false),
			Step::Approve((5, 1))
		);
		// Already approved by this authority.
		assert_eq!(
			next_step(attested, Some(&pending((5, 1), &[ME, OTHER])), &ME, true),
			Step::Wait
		);
		// Another opening of the same call (the attested one executed, then someone opened it
		// again): never approved, so the batch cannot pay twice.
		assert_eq!(next_step(attested, Some(&pending((9, 0), &[OTHER])), &ME, true), Step::Wait);
		// Executed (gone from the chain): nothing to approve, nothing to open.
		assert_eq!(next_step(attested, None, &ME, true), Step::Wait);
	}
}

//! Settling a vault contract by threshold: each authority's worker approves the open batches
//! of the chain with its own signer key (an [`Observation::BatchApproval`] report), and, once
//! `threshold` approvals of a batch are on chain, the authorities take turns to submit it from
//! their signer's account (the first by a rotation over the batch nonces, each next one
//! [`SUBMIT_TURN_BLOCKS`] later). The contract executes each nonce once and in order, so a
//! batch is submitted only with those before it, from the contract's next nonce on; a second
//! submission of a batch reverts and moves nothing.
//!
//! [`open_batches`] and [`due_batches`] decide what to approve and what to submit; the rest
//! signs, records ([`store::Submission`]) and sends.

use super::{
	client::*,
	evm::EvmClient,
	evm_contract::execute_gas,
	reports::Reports,
	settle::REBROADCAST_AFTER,
	store::{self, Submission},
};
use crate::{pallet::*, types::*, vault_contract::execute_calldata, LOG_TARGET};
use alloc::vec::Vec;
use sp_core::ecdsa;
use sp_runtime::traits::UniqueSaturatedInto;

/// Connection-chain blocks each authority waits, after the one before it in the rotation, before
/// it submits an approved batch itself.
pub const SUBMIT_TURN_BLOCKS: u64 = 4;
/// Consecutive batch nonces one authority submits first, so that its transactions, ordered by
/// its account's nonce, reach the contract in the batches' order.
pub const SUBMITTER_TERM: u64 = 64;

/// An open batch of the vault contract, as the worker sees it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct OpenBatch {
	/// Its vault nonce.
	pub nonce: u64,
	/// Whether the pallet asked to cancel one of its instructions: the empty batch replaces it.
	pub takes_nonce_only: bool,
}

/// The open batches of the chain, in nonce order, from its open instructions (`open`).
pub fn open_batches<AccountId, BlockNumber>(
	open: &[(InstructionId, OutboundInstruction<AccountId, BlockNumber>)],
) -> Vec<OpenBatch> {
	let mut batches: Vec<OpenBatch> = Vec::new();
	let mut sorted: Vec<_> = open.iter().map(|(_, instruction)| instruction).collect();
	sorted.sort_by_key(|instruction| instruction.nonce);
	for instruction in sorted {
		match batches.last_mut() {
			Some(last) if last.nonce == instruction.nonce => {
				last.takes_nonce_only |= instruction.cancel_requested;
			}
			_ => batches.push(OpenBatch {
				nonce: instruction.nonce,
				takes_nonce_only: instruction.cancel_requested,
			}),
		}
	}
	batches
}

/// The place of `authority` among the `count` authorities in the order they submit the batch
/// `nonce`: 0 for the first.
pub fn submit_turn(nonce: u64, authority: u32, count: u32) -> u64 {
	let count = u64::from(count.max(1));
	let first = (nonce / SUBMITTER_TERM) % count;
	(u64::from(authority) % count + count - first) % count
}

/// The batches this authority submits now: from the contract's next nonce `free_nonce` on, the
/// consecutive batches whose approvals reached the threshold (`complete_at`, a connection-chain
/// block) and whose turn came for this authority (`turn`) at block `now`. It stops at the first
/// that is not due: a later batch would revert before it.
pub fn due_batches(
	batches: &[OpenBatch],
	free_nonce: u64,
	complete_at: impl Fn(&OpenBatch) -> Option<u64>,
	turn: impl Fn(u64) -> u64,
	now: u64,
) -> Vec<OpenBatch> {
	let mut due = Vec::new();
	let mut expected = free_nonce;
	for batch in batches.iter().filter(|batch| batch.nonce >= free_nonce) {
		let Some(complete_at) = complete_at(batch) else { break };
		let wait = turn(batch.nonce).saturating_mul(SUBMIT_TURN_BLOCKS);
		if batch.nonce != expected || now < complete_at.saturating_add(wait) {
			break;
		}
		due.push(*batch);
		expected = expected.saturating_add(1);
	}
	due
}

impl<T: Config> Pallet<T> {
	/// Approves and submits the open batches of `chain_id`'s vault contract (see the module doc),
	/// at connection-chain block `now`.
	pub(crate) fn settle_by_threshold(
		chain_id: ChainId,
		client: &EvmClient,
		reports: &mut Reports<T>,
		open: &[(InstructionId, InstructionOf<T>)],
		now: u64,
	) -> Result<(), WorkerError> {
		let Some(authority) = reports.authority() else { return Ok(()) };
		let Some(custody) = Self::contract_custody(chain_id) else { return Ok(()) };
		let Some(signer) = custody.signers.get(authority as usize).copied() else { return Ok(()) };
		let Some(key) = EvmClient::signer_key(&signer) else {
			if now % 100 == 1 {
				log::warn!(target: LOG_TARGET, "linked chain {chain_id}: this node's keystore lacks the signer key of authority {authority}; it does not approve the vault's batches");
			}
			return Ok(());
		};
		let batches = open_batches(open);
		let mut submissions = store::submissions(chain_id);
		if batches.is_empty() && submissions.is_empty() {
			return Ok(());
		}
		let (free_nonce, newest) = client.vault_nonce()?;
		submissions.retain(|submission| submission.nonce >= free_nonce);
		for batch in batches.iter().filter(|batch| batch.nonce >= free_nonce) {
			let (nonce, takes_nonce_only) = (batch.nonce, batch.takes_nonce_only);
			if !Self::approval_awaited(chain_id, nonce, takes_nonce_only, authority) {
				continue;
			}
			let Some((digest, _)) = Self::batch_digest_of(chain_id, nonce, takes_nonce_only) else {
				continue;
			};
			let signature = EvmClient::approve(&key, &digest)?;
			reports.send(Observation::BatchApproval {
				chain: chain_id,
				nonce,
				takes_nonce_only,
				signature,
			});
		}
		reports.flush();
		let count = custody.signers.len() as u32;
		let due = due_batches(
			&batches,
			free_nonce,
			|batch| {
				let approvals =
					Approvals::<T>::get((chain_id, batch.nonce, batch.takes_nonce_only));
				approvals.complete_at.map(|at| at.unique_saturated_into())
			},
			|nonce| submit_turn(nonce, authority, count),
			now,
		);
		let sent = Self::submit_batches(
			chain_id,
			client,
			(&key, signer),
			&custody,
			due,
			&mut submissions,
			newest,
		);
		store::set_submissions(chain_id, &submissions);
		sent
	}

	/// Signs the due batches not yet sent (or whose transaction was mined without taking the
	/// batch's nonce) from the signer's account, sends them with those due for a rebroadcast, and
	/// records them in `submissions`.
	fn submit_batches(
		chain_id: ChainId,
		client: &EvmClient,
		(key, signer): (&ecdsa::Public, [u8; 20]),
		custody: &ContractCustody,
		due: Vec<OpenBatch>,
		submissions: &mut Vec<Submission>,
		newest: u64,
	) -> Result<(), WorkerError> {
		if due.is_empty() {
			return Ok(());
		}
		let mined = client.account_nonce(&signer, false)?;
		let mut next_sender_nonce = client.account_nonce(&signer, true)?;
		let mut to_send = Vec::new();
		for batch in due {
			let pending = submissions.iter_mut().find(|submission| {
				submission.nonce == batch.nonce
					&& submission.takes_nonce_only == batch.takes_nonce_only
					&& submission.sender_nonce >= mined
			});
			if let Some(submission) = pending {
				if newest >= submission.broadcast_at.saturating_add(REBROADCAST_AFTER) {
					submission.broadcast_at = newest;
					to_send.push(submission.tx.clone());
				}
				continue;
			}
			let approvals = Approvals::<T>::get((chain_id, batch.nonce, batch.takes_nonce_only));
			let signatures: Vec<([u8; 20], VaultSignature)> = approvals
				.signatures
				.iter()
				.filter_map(|(approver, signature)| {
					custody.signers.get(*approver as usize).map(|signer| (*signer, *signature))
				})
				.take(custody.threshold as usize)
				.collect();
			let payments = if batch.takes_nonce_only {
				Vec::new()
			} else {
				Self::batch_payments(chain_id, batch.nonce).unwrap_or_default()
			};
			let gas = execute_gas(payments.len(), signatures.len());
			let data = execute_calldata(batch.nonce, &payments, signatures);
			let tx = client.sign_call(key, next_sender_nonce, data, gas)?;
			submissions.retain(|submission| submission.nonce != batch.nonce);
			submissions.push(Submission {
				nonce: batch.nonce,
				takes_nonce_only: batch.takes_nonce_only,
				sender_nonce: next_sender_nonce,
				tx: tx.clone(),
				broadcast_at: newest,
			});
			next_sender_nonce = next_sender_nonce.saturating_add(1);
			to_send.push(tx);
		}
		// Recorded before they are sent: a node stopped in between sends the same ones next.
		store::set_submissions(chain_id, submissions);
		let txs: Vec<_> = to_send.iter().collect();
		let mut failure = None;
		for (tx, outcome) in to_send.iter().zip(client.submit(&txs)) {
			match outcome {
				Ok(()) => {
					log::info!(target: LOG_TARGET, "linked chain {chain_id}: submitted a vault batch as {:?}", tx.hash);
				}
				Err(SubmitError::CannotPayFees) => {
					log::error!(target: LOG_TARGET, "linked chain {chain_id}: the signer account {signer:?} cannot pay the gas of a batch; top it up");
				}
				Err(SubmitError::Rpc(error)) => {
					failure.get_or_insert(WorkerError::Rpc(error));
				}
			}
		}
		failure.map_or(Ok(()), Err)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn instruction(nonce: u64, cancel_requested: bool) -> OutboundInstruction<u64, u64> {
		OutboundInstruction {
			chain: 1,
			purpose: OutboundPurpose::Payout(0),
			recipient: LinkedAccount::Evm([0x42; 20]),
			amount: 500,
			nonce,
			status: OutboundStatus::Pending,
			attempt: 1,
			cancel_requested,
			created: 1,
		}
	}

	#[test]
	fn a_batch_is_the_instructions_of_one_nonce_and_one_cancellation_empties_it() {
		let open = [
			(3, instruction(1, false)),
			(1, instruction(0, false)),
			(2, instruction(0, true)),
			(4, instruction(1, false)),
		];
		assert_eq!(
			open_batches(&open),
			alloc::vec![
				OpenBatch { nonce: 0, takes_nonce_only: true },
				OpenBatch { nonce: 1, takes_nonce_only: false },
			]
		);
	}

	#[test]
	fn each_authority_submits_first_for_a_term_of_nonces_then_the_next_takes_over() {
		let turns = |nonce| (0..3).map(|a| submit_turn(nonce, a, 3)).collect::<Vec<_>>();
		assert_eq!(turns(0), alloc::vec![0, 1, 2]);
		assert_eq!(turns(SUBMITTER_TERM - 1), alloc::vec![0, 1, 2]);
		assert_eq!(turns(SUBMITTER_TERM), alloc::vec![2, 0, 1]);
		assert_eq!(turns(2 * SUBMITTER_TERM), alloc::vec![1, 2, 0]);
		// With one authority it is always first.
		assert_eq!(submit_turn(12_345, 0, 1), 0);
	}

	#[test]
	fn batches_are_due_in_order_from_the_free_nonce_once_approved_and_in_turn() {
		let batch = |nonce| OpenBatch { nonce, takes_nonce_only: false };
		let batches = [batch(4), batch(5), batch(6), batch(8)];
		let approved = |batch: &OpenBatch| (batch.nonce != 6).then_some(10);
		// First in turn: 4 and 5 at once; 6 is not approved, so 8 waits behind it.
		let due = due_batches(&batches, 4, approved, |_| 0, 10);
		assert_eq!(due, alloc::vec![batch(4), batch(5)]);
		// The contract already took 4: from 5 on.
		assert_eq!(due_batches(&batches, 5, approved, |_| 0, 10), alloc::vec![batch(5)]);
		// Second in turn: only once its turn came.
		assert!(due_batches(&batches, 4, approved, |_| 1, 10 + SUBMIT_TURN_BLOCKS - 1).is_empty());
		assert_eq!(due_batches(&batches, 4, approved, |_| 1, 10 + SUBMIT_TURN_BLOCKS).len(), 2);
		// A gap (the batch of nonce 7 is not open here) stops the run.
		let all = |_: &OpenBatch| Some(0);
		assert_eq!(due_batches(&batches[2..], 6, all, |_| 0, 10), alloc::vec![batch(6)]);
	}
}

//! Settling a vault: for each open instruction whose nonce is still free on the chain, the
//! vault's transaction is signed with the instruction's nonce (or, once the pallet asked to
//! cancel it, a transaction that moves nothing, to take the nonce), recorded in persistent
//! storage, then submitted, and resent while it is valid and unconfirmed. Where a transaction
//! whose nonce is taken was included is looked up once; it is reported only if its block is
//! far from the final head ([`FINALITY_NEAR_BLOCKS`]).
//!
//! [`plan`] decides, from the instructions, their records and the chain's nonce, what to do for
//! each; [`Pallet::settle`] does it: sign, record, submit, look up.

use super::{
	client::*,
	reports::Reports,
	store::{self, SentRecord},
};
use crate::{linked::SignedTx, pallet::*, types::*, LOG_TARGET};
use alloc::{collections::BTreeSet, vec::Vec};
use sp_core::H256;

/// Linked-chain blocks after which a transaction not yet included is broadcast again.
pub const REBROADCAST_AFTER: u64 = 8;
/// An inclusion this many linked blocks or fewer past the final head is not reported: the
/// watcher reports the transaction's outcome once those blocks are final, and the report would
/// add an observation per vault transaction for a step the trail shows moments later. Beyond it
/// (a chain whose finality lags far) the inclusion is reported, so the trail shows where the
/// transaction is.
pub const FINALITY_NEAR_BLOCKS: u64 = 8;

/// A transaction to send for an instruction.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Send {
	/// The recorded transaction, again.
	Again { id: InstructionId, nonce: u64, record: SentRecord },
	/// A new transaction, to sign and record first: `transfer` to make, or `None` for the
	/// nonce taker.
	New { id: InstructionId, nonce: u64, transfer: Option<(LinkedAccount, LinkedAmount)> },
}

/// What one pass does for a chain's pending instructions ([`plan`]).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Plan {
	/// What to send, in instruction order.
	pub send: Vec<Send>,
	/// Instructions whose nonce is taken and whose transaction's block is yet to be found.
	pub look_up: Vec<(InstructionId, SentRecord)>,
}

/// What to do for each pending instruction (in id order, with its record, if any), given the
/// vault's next nonce `free_nonce` as of the chain's newest block `newest`:
/// - nonce taken: its transaction is looked up, if one was sent, is no nonce taker and was not
///   found in a block yet (the watcher reports the outcome once the block is final);
/// - nonce free, a record of the same kind still valid: sent again, unless it was broadcast
///   fewer than [`REBROADCAST_AFTER`] blocks ago;
/// - nonce free, no such record: signed anew, the transfer or, once the pallet asked to cancel
///   it, the nonce taker.
pub fn plan<AccountId, BlockNumber>(
	pending: Vec<(InstructionId, &OutboundInstruction<AccountId, BlockNumber>, Option<SentRecord>)>,
	free_nonce: u64,
	newest: u64,
) -> Plan {
	let mut plan = Plan::default();
	for (id, instruction, record) in pending {
		let nonce = instruction.nonce;
		if nonce < free_nonce {
			let to_look_up = record.filter(|record| !record.takes_nonce_only && !record.included);
			plan.look_up.extend(to_look_up.map(|record| (id, record)));
			continue;
		}
		let takes_nonce_only = instruction.cancel_requested;
		let reusable = record.filter(|record| {
			record.takes_nonce_only == takes_nonce_only
				&& record.tx.valid_until.is_none_or(|until| newest <= until)
		});
		match reusable {
			Some(record)
				if record
					.broadcast_at
					.is_some_and(|at| newest < at.saturating_add(REBROADCAST_AFTER)) => {}
			Some(record) => plan.send.push(Send::Again { id, nonce, record }),
			None => {
				let transfer =
					(!takes_nonce_only).then_some((instruction.recipient, instruction.amount));
				plan.send.push(Send::New { id, nonce, transfer });
			}
		}
	}
	plan
}

impl<T: Config> Pallet<T> {
	/// Settles the chain's vault (see the module doc) as of the final head `final_head`, if this
	/// node holds the vault's key.
	/// `included` holds the instructions this run already found recorded as included, whose
	/// records it skips.
	pub(crate) fn settle_by_vault_key<C: VaultKeyClient>(
		chain_id: ChainId,
		client: &C,
		reports: &mut Reports<T>,
		open: &[(InstructionId, InstructionOf<T>)],
		included: &mut BTreeSet<InstructionId>,
		final_head: u64,
	) -> Result<(), WorkerError> {
		if !client.can_sign() {
			return Ok(());
		}
		Self::forget_closed_records(chain_id, open);
		let pending: Vec<_> = open
			.iter()
			.filter(|(id, instruction)| {
				instruction.status == OutboundStatus::Pending && !included.contains(id)
			})
			.map(|(id, instruction)| (*id, instruction, store::sent_record(*id)))
			.collect();
		let found_included =
			|record: &Option<SentRecord>| record.as_ref().is_some_and(|record| record.included);
		included.extend(pending.iter().filter(|(.., r)| found_included(r)).map(|(id, ..)| *id));
		// Nothing to send or look up when every pending instruction's transaction was found
		// in a block: the watcher reports the rest once that block is final.
		if pending.iter().all(|(.., record)| found_included(record)) {
			return Ok(());
		}
		let (free_nonce, newest) = client.vault_nonce()?;
		let plan = plan(pending, free_nonce, newest);
		// Sent first, looked up after: a payout waiting to be sent matters more than telling
		// where an earlier one is.
		Self::send_planned(chain_id, client, reports, plan.send, newest)?;
		if reports.can_report() {
			Self::look_up_inclusions(client, reports, plan.look_up, included, final_head)?;
		}
		Ok(())
	}

	/// Signs and records the new transactions, then submits them with those sent again. A
	/// signing failure stops the signing, not the sending of what is already signed.
	fn send_planned<C: VaultKeyClient>(
		chain_id: ChainId,
		client: &C,
		reports: &mut Reports<T>,
		planned: Vec<Send>,
		newest: u64,
	) -> Result<(), WorkerError> {
		let mut failure = None;
		let (mut to_send, mut recorded) = (Vec::new(), Vec::new());
		for send in planned {
			let (id, nonce, record) = match send {
				Send::Again { id, nonce, record } => (id, nonce, record),
				Send::New { id, nonce, transfer } => match client.sign(transfer, nonce) {
					Ok(tx) => {
						let takes_nonce_only = transfer.is_none();
						let record = SentRecord {
							tx,
							takes_nonce_only,
							broadcast_at: None,
							included: false,
						};
						// Recorded before it is sent: if the node stops in between, the next
						// run sends this very transaction, never a second one.
						store::set_sent_record(id, &record);
						recorded.push(id);
						(id, nonce, record)
					}
					Err(error) => {
						failure = Some(error);
						break;
					}
				},
			};
			to_send.push((id, nonce, record));
		}
		// Listed once per pass, not once per record. A node stopped before this line leaves
		// those records unlisted (never cleaned up); their transactions are still sent.
		Self::remember_records(chain_id, &recorded);
		let txs: Vec<&SignedTx> = to_send.iter().map(|(.., record)| &record.tx).collect();
		let outcomes = client.submit(&txs);
		for ((id, nonce, record), outcome) in to_send.into_iter().zip(outcomes) {
			match outcome {
				Ok(()) => {
					log::info!(target: LOG_TARGET, "linked chain {chain_id}: sent instruction {id} (nonce {nonce}) as {:?}", record.tx.hash);
					store::set_sent_record(
						id,
						&SentRecord { broadcast_at: Some(newest), ..record },
					);
				}
				Err(SubmitError::CannotPayFees) => {
					log::error!(target: LOG_TARGET, "linked chain {chain_id}: the vault cannot pay the fee of instruction {id}; top it up");
					reports.send(Observation::VaultCannotPayFees { instruction: id });
				}
				Err(SubmitError::Rpc(error)) => {
					failure.get_or_insert(WorkerError::Rpc(error));
				}
			}
		}
		failure.map_or(Ok(()), Err)
	}

	/// Looks up, once each, where the transactions whose nonce is taken were included, and
	/// reports those far from the final head.
	fn look_up_inclusions<C: LinkedChainClient>(
		client: &C,
		reports: &mut Reports<T>,
		look_up: Vec<(InstructionId, SentRecord)>,
		included: &mut BTreeSet<InstructionId>,
		final_head: u64,
	) -> Result<(), WorkerError> {
		let hashes: Vec<H256> = look_up.iter().map(|(_, record)| record.tx.hash).collect();
		for ((id, record), inclusion) in look_up.into_iter().zip(client.inclusions(&hashes)) {
			if let Some(tx) = inclusion? {
				if tx.block.number > final_head.saturating_add(FINALITY_NEAR_BLOCKS) {
					reports.send(Observation::OutboundIncluded { instruction: id, tx });
				}
				store::set_sent_record(id, &SentRecord { included: true, ..record });
				included.insert(id);
			}
		}
		Ok(())
	}

	/// Adds `new` to the ids of the chain's instructions that have a record.
	fn remember_records(chain: ChainId, new: &[InstructionId]) {
		if new.is_empty() {
			return;
		}
		let mut ids = store::recorded_ids(chain);
		let known: BTreeSet<InstructionId> = ids.iter().copied().collect();
		ids.extend(new.iter().filter(|id| !known.contains(id)));
		store::set_recorded_ids(chain, ids);
	}

	/// Drops the records of instructions that are no longer open (`open` is in id order).
	fn forget_closed_records(chain: ChainId, open: &[(InstructionId, InstructionOf<T>)]) {
		let ids = store::recorded_ids(chain);
		let is_open =
			|id: &InstructionId| open.binary_search_by_key(id, |(open_id, _)| *open_id).is_ok();
		let (kept, closed): (Vec<_>, Vec<_>) = ids.into_iter().partition(is_open);
		if closed.is_empty() {
			return;
		}
		for id in closed {
			store::clear_sent_record(id);
		}
		store::set_recorded_ids(chain, kept);
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	type Instruction = OutboundInstruction<u64, u64>;

	const RECIPIENT: LinkedAccount = LinkedAccount::Evm([0x42; 20]);

	fn instruction(nonce: u64, cancel_requested: bool) -> Instruction {
		OutboundInstruction {
			chain: 1,
			purpose: OutboundPurpose::Payout(0),
			recipient: RECIPIENT,
			amount: 500,
			nonce,
			status: OutboundStatus::Pending,
			attempt: 1,
			cancel_requested,
			created: 1,
		}
	}

	fn record(seed: u8, takes_nonce_only: bool, broadcast_at: Option<u64>) -> SentRecord {
		let tx = SignedTx { hash: H256([seed; 32]), raw: alloc::vec![seed], valid_until: None };
		SentRecord { tx, takes_nonce_only, broadcast_at, included: false }
	}

	#[test]
	fn a_free_nonce_without_a_record_is_signed_as_the_transfer_or_as_the_nonce_taker() {
		let (payout, cancelled) = (instruction(5, false), instruction(6, true));
		let plan = plan(alloc::vec![(10, &payout, None), (11, &cancelled, None)], 5, 100);
		assert_eq!(
			plan.send,
			alloc::vec![
				Send::New { id: 10, nonce: 5, transfer: Some((RECIPIENT, 500)) },
				Send::New { id: 11, nonce: 6, transfer: None },
			]
		);
		assert!(plan.look_up.is_empty());
	}

	#[test]
	fn a_recorded_transaction_is_sent_again_only_once_its_broadcast_is_old() {
		let payout = instruction(5, false);
		let lately = record(1, false, Some(95));
		let long_ago = record(1, false, Some(100 - REBROADCAST_AFTER));
		let never = record(1, false, None);
		assert_eq!(plan(alloc::vec![(10, &payout, Some(lately))], 5, 100), Plan::default());
		for old in [long_ago, never] {
			let again = Send::Again { id: 10, nonce: 5, record: old.clone() };
			assert_eq!(
				plan(alloc::vec![(10, &payout, Some(old))], 5, 100).send,
				alloc::vec![again]
			);
		}
	}

	#[test]
	fn a_record_of_the_other_kind_or_past_its_validity_is_signed_anew() {
		// The pallet asked to cancel since the payout was recorded: the nonce taker replaces it.
		let cancelled = instruction(5, true);
		let plan_of = |record| plan(alloc::vec![(10, &cancelled, Some(record))], 5, 100);
		let taker = Send::New { id: 10, nonce: 5, transfer: None };
		assert_eq!(plan_of(record(1, false, Some(99))).send, alloc::vec![taker.clone()]);
		// A mortal transaction past its last block cannot land: signed again.
		let mut expired = record(1, true, Some(99));
		expired.tx.valid_until = Some(99);
		assert_eq!(plan_of(expired).send, alloc::vec![taker]);
	}

	#[test]
	fn a_taken_nonce_is_looked_up_once_and_only_for_a_transfer_sent() {
		let payout = instruction(3, false);
		let sent = record(1, false, Some(90));
		let mut found = sent.clone();
		found.included = true;
		let taker = record(2, true, Some(90));
		let cases =
			[(None, false), (Some(sent.clone()), true), (Some(found), false), (Some(taker), false)];
		for (record, looked_up) in cases {
			let plan = plan(alloc::vec![(10, &payout, record)], 4, 100);
			assert!(plan.send.is_empty(), "a taken nonce is never sent");
			let expected = if looked_up { alloc::vec![(10, sent.clone())] } else { alloc::vec![] };
			assert_eq!(plan.look_up, expected);
		}
	}
}

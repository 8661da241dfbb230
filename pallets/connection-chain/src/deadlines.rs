//! Deadlines: each transfer's deposit and payout deadlines, queued by block and checked in
//! `on_initialize`, at most [`Config::MaxDeadlinesPerBlock`] per block.

use crate::{pallet::*, types::*, WeightInfo};
use alloc::vec::Vec;
use frame_support::{defensive, pallet_prelude::Weight, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::Saturating, DispatchError, DispatchResult};

/// How far past its due block a deadline may be queued when that block's queue is full.
pub const MAX_DEADLINE_SLIP: u32 = 64;

impl<T: Config> Pallet<T> {
	/// The block a deadline due at `due` can be queued at: `due`, or the first later block with
	/// room (at most [`MAX_DEADLINE_SLIP`] later). Reads only.
	pub(crate) fn deadline_slot(
		due: BlockNumberFor<T>,
	) -> Result<BlockNumberFor<T>, DispatchError> {
		let room = T::MaxDeadlinesPerBlock::get() as usize;
		let mut at = due;
		for _ in 0..=MAX_DEADLINE_SLIP {
			// The queue's length prefix only: finding a slot costs the same however full it is.
			if DeadlineQueue::<T>::decode_len(at).unwrap_or(0) < room {
				return Ok(at);
			}
			at = at.saturating_add(1u32.into());
		}
		Err(Error::<T>::DeadlineQueueFull.into())
	}

	/// Queues a deadline check of `transfer` at `at`, a slot [`Self::deadline_slot`] found.
	pub(crate) fn queue_deadline(at: BlockNumberFor<T>, transfer: TransferId) -> DispatchResult {
		// Appended without decoding the queue.
		DeadlineQueue::<T>::try_append(at, transfer).map_err(|_| {
			defensive!("a deadline slot with room is full");
			Error::<T>::DeadlineQueueFull.into()
		})
	}

	/// Queues a deadline check of `transfer` at block `due`, or at the first later block with
	/// room. Returns the block it was queued at. (The pallet finds the slot before it writes
	/// anything else, then queues; the tests fill queues with this.)
	#[cfg(test)]
	pub(crate) fn schedule_deadline(
		due: BlockNumberFor<T>,
		transfer: TransferId,
	) -> Result<BlockNumberFor<T>, DispatchError> {
		let at = Self::deadline_slot(due)?;
		Self::queue_deadline(at, transfer)?;
		Ok(at)
	}

	/// Checks the deadlines due up to `now`, at most `MaxDeadlinesPerBlock` of them; what is
	/// left waits for the next block.
	pub(crate) fn process_deadlines(now: BlockNumberFor<T>) -> Weight {
		let budget = T::MaxDeadlinesPerBlock::get();
		let mut cursor = DeadlineCursor::<T>::get();
		let (mut checked, mut queues_read) = (0u32, 0u32);
		// Each block whose queue is read counts against the budget too, so a long gap of empty
		// blocks is caught up over several blocks rather than in one.
		while cursor <= now && checked.saturating_add(queues_read) < budget {
			queues_read.saturating_inc();
			let mut queue = DeadlineQueue::<T>::get(cursor);
			let room = budget.saturating_sub(checked.saturating_add(queues_read)) as usize;
			let take = queue.len().min(room);
			let due: Vec<TransferId> = queue.drain(..take).collect();
			for transfer in due {
				Self::check_deadline(transfer, now);
				checked.saturating_inc();
			}
			if queue.is_empty() {
				DeadlineQueue::<T>::remove(cursor);
				cursor = cursor.saturating_add(1u32.into());
			} else {
				DeadlineQueue::<T>::insert(cursor, queue);
				break;
			}
		}
		DeadlineCursor::<T>::put(cursor);
		T::WeightInfo::process_deadlines(checked, queues_read)
	}

	/// A transfer still awaiting its deposit expires; one still paying out has its payout
	/// cancelled (the workers then prove it dead, or it lands and completes the transfer).
	fn check_deadline(transfer_id: TransferId, now: BlockNumberFor<T>) {
		let Some(transfer) = Transfers::<T>::get(transfer_id) else { return };
		match transfer.state {
			TransferState::AwaitingDeposit if now >= transfer.deposit_deadline => {
				let (step, state) = (StepKind::Expiry, TransferState::Expired);
				// A failure is a ledger fault, reported where it arose; the transfer then stays
				// as it was.
				let _ = frame_support::storage::with_storage_layer(|| {
					Self::end_without_deposit(transfer_id, transfer, step, state)
				});
			}
			TransferState::PayingOut if transfer.payout_deadline.is_some_and(|due| now >= due) => {
				let payout = transfer
					.trail
					.iter()
					.rev()
					.find(|step| step.kind == StepKind::Payout)
					.and_then(|step| step.instruction);
				if let Some(instruction) = payout {
					Self::request_cancellation(transfer_id, instruction);
				}
			}
			// Moved on since the deadline was queued.
			_ => {}
		}
	}
}

//! A transfer's trail: the steps it records, each with its chain, amount, transaction, block,
//! result and the connection-chain block and time it was requested and fixed at.

use crate::{pallet::*, types::*};
use frame_support::defensive;
use frame_system::pallet_prelude::BlockNumberFor;

impl<T: Config> Pallet<T> {
	/// A step on the connection chain only, done now.
	pub(crate) fn connection_chain_step(
		kind: StepKind,
		amount: LinkedAmount,
	) -> TrailStep<BlockNumberFor<T>> {
		let stamp = Self::stamp();
		TrailStep {
			kind,
			chain: None,
			instruction: None,
			amount,
			tx_hash: None,
			block: None,
			result: StepResult::Succeeded,
			requested: stamp,
			fixed: Some(stamp),
		}
	}

	pub(crate) fn push_step(
		transfer_id: TransferId,
		transfer: &mut TransferOf<T>,
		step: TrailStep<BlockNumberFor<T>>,
	) {
		let (kind, result) = (step.kind, step.result.clone());
		if transfer.trail.try_push(step).is_err() {
			// The trail is sized for the longest possible lifecycle (see `MaxTrailSteps`).
			defensive!("trail of a transfer is full");
			return;
		}
		let index = transfer.trail.len().saturating_sub(1) as u32;
		Self::deposit_event(Event::TrailStepRecorded {
			transfer: transfer_id,
			index,
			kind,
			result,
		});
	}

	/// Adds a pending trail step for a vault transfer made by `instruction`.
	pub(crate) fn push_vault_step(
		transfer_id: TransferId,
		transfer: &mut TransferOf<T>,
		kind: StepKind,
		chain: ChainId,
		instruction: InstructionId,
		amount: LinkedAmount,
	) {
		let step = TrailStep {
			kind,
			chain: Some(chain),
			instruction: Some(instruction),
			amount,
			tx_hash: None,
			block: None,
			result: StepResult::Pending,
			requested: Self::stamp(),
			fixed: None,
		};
		Self::push_step(transfer_id, transfer, step);
	}

	/// Records the outcome of the trail step executed by `instruction`, with its transaction
	/// hash and block where known (a submission has a hash but no block yet).
	pub(crate) fn fix_step(
		transfer_id: TransferId,
		transfer: &mut TransferOf<T>,
		instruction: InstructionId,
		tx: Option<LinkedTx>,
		result: StepResult,
	) {
		let Some(index) = transfer.trail.iter().rposition(|s| s.instruction == Some(instruction))
		else {
			defensive!("no trail step for an instruction of the transfer");
			return;
		};
		let stamp = Self::stamp();
		let step = &mut transfer.trail[index];
		if let Some(tx) = tx {
			step.tx_hash = Some(tx.hash);
			step.block = Some(tx.block);
		}
		step.result = result.clone();
		if !matches!(result, StepResult::Submitted) {
			step.fixed = Some(stamp);
		}
		let kind = step.kind;
		Self::deposit_event(Event::TrailStepRecorded {
			transfer: transfer_id,
			index: index as u32,
			kind,
			result,
		});
	}

	/// [`Self::fix_step`] on the stored record of each transfer `instruction` moves funds for.
	pub(crate) fn fix_steps_of(
		instruction_id: InstructionId,
		instruction: &InstructionOf<T>,
		tx: Option<LinkedTx>,
		result: StepResult,
	) {
		for transfer_id in Self::transfers_of(&instruction.purpose) {
			if let Some(mut transfer) = Transfers::<T>::get(transfer_id) {
				Self::fix_step(transfer_id, &mut transfer, instruction_id, tx, result.clone());
				Transfers::<T>::insert(transfer_id, transfer);
			}
		}
	}
}

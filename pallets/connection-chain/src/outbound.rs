//! Outbound instructions: every transfer a vault must make (payout, settlement, refund,
//! withdrawal, returned deposit), bound to one vault nonce when created; its inclusion and
//! outcome as the workers report them; the batching of settlements; retries.

use crate::{ledger::Books, pallet::*, types::*};
use alloc::{vec, vec::Vec};
use frame_support::{defensive, ensure, BoundedVec};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError, DispatchResult,
};

/// How an outbound instruction ended on its chain.
pub(crate) enum Outcome {
	/// Final: the transfer happened.
	Final(LinkedTx),
	/// Included but failed, or provably never to be included: nothing moved.
	Failed(Option<LinkedTx>, FailureReason),
}

impl<T: Config> Pallet<T> {
	/// Records that the vault of `chain` must pay `amount` to `recipient`, with the chain's
	/// next vault nonce (or its vault contract's filling batch). The caller has posted what the
	/// vault owes for it.
	pub(crate) fn create_instruction(
		chain: ChainId,
		purpose: OutboundPurpose<T::AccountId>,
		recipient: LinkedAccount,
		amount: LinkedAmount,
		attempt: u8,
	) -> InstructionId {
		let id = NextInstructionId::<T>::get();
		NextInstructionId::<T>::put(id.saturating_add(1));
		let nonce = Self::assign_vault_nonce(chain, id);
		let instruction = OutboundInstruction {
			chain,
			purpose: purpose.clone(),
			recipient,
			amount,
			nonce,
			status: OutboundStatus::Pending,
			attempt,
			cancel_requested: false,
			created: frame_system::Pallet::<T>::block_number(),
		};
		Outbound::<T>::insert(id, instruction);
		PendingOutbound::<T>::insert(chain, id, ());
		Self::deposit_event(Event::InstructionCreated {
			instruction: id,
			chain,
			purpose,
			recipient,
			amount,
		});
		id
	}

	/// Ends an instruction: it leaves the pending index.
	fn conclude_instruction(
		id: InstructionId,
		instruction: &mut InstructionOf<T>,
		status: OutboundStatus,
	) {
		instruction.status = status;
		Outbound::<T>::insert(id, &*instruction);
		PendingOutbound::<T>::remove(instruction.chain, id);
		Self::close_batch(instruction.chain, instruction.nonce);
		Self::deposit_event(Event::InstructionConcluded { instruction: id, status });
	}

	pub(crate) fn instruction_is_open(status: &OutboundStatus) -> bool {
		matches!(status, OutboundStatus::Pending | OutboundStatus::Included { .. })
	}

	/// The open instructions of a chain, in id order.
	pub fn open_instructions(chain: ChainId) -> Vec<(InstructionId, InstructionOf<T>)> {
		let mut open: Vec<_> = PendingOutbound::<T>::iter_key_prefix(chain)
			.filter_map(|id| Outbound::<T>::get(id).map(|instruction| (id, instruction)))
			.collect();
		open.sort_by_key(|(id, _)| *id);
		open
	}

	/// The transfers an instruction moves funds for, in the order they joined it.
	pub(crate) fn transfers_of(purpose: &OutboundPurpose<T::AccountId>) -> Vec<TransferId> {
		match purpose {
			OutboundPurpose::Payout(id) | OutboundPurpose::Refund(id) => vec![*id],
			OutboundPurpose::Settlement(batch) => {
				SettlementBatches::<T>::get(batch).map(Vec::from).unwrap_or_default()
			}
			OutboundPurpose::Withdrawal(_) | OutboundPurpose::DepositReturn(_) => Vec::new(),
		}
	}

	/// The payout deadline passed: the workers stop sending the payout and take its nonce.
	pub(crate) fn request_cancellation(transfer: TransferId, instruction: InstructionId) {
		Outbound::<T>::mutate(instruction, |entry| {
			let Some(entry) = entry else { return };
			if Self::instruction_is_open(&entry.status) && !entry.cancel_requested {
				entry.cancel_requested = true;
				Self::deposit_event(Event::PayoutCancellationRequested { transfer, instruction });
			}
		});
	}

	/// The instruction's transaction is in a block of its chain, not yet final.
	pub(crate) fn apply_inclusion(id: InstructionId, tx: LinkedTx) -> bool {
		let Some(mut instruction) = Outbound::<T>::get(id) else { return false };
		if instruction.status != OutboundStatus::Pending {
			return false;
		}
		instruction.status = OutboundStatus::Included { tx };
		Outbound::<T>::insert(id, &instruction);
		Self::fix_steps_of(id, &instruction, Some(tx), StepResult::Submitted);
		true
	}

	/// Takes the fee the vault paid for an instruction's transaction out of the free
	/// liquidity of the operator it served ([`Books::charge_vault_fee`]).
	fn charge_vault_fee(
		id: InstructionId,
		instruction: &InstructionOf<T>,
		fee: LinkedAmount,
	) -> DispatchResult {
		if fee.is_zero() {
			return Ok(());
		}
		let chain = instruction.chain;
		let operator = match &instruction.purpose {
			OutboundPurpose::Withdrawal(operator) => Some(operator.clone()),
			// A settlement's transfers all have the same operator.
			purpose => Self::transfers_of(purpose)
				.first()
				.and_then(Transfers::<T>::get)
				.map(|transfer| transfer.operator),
		};
		let (_, unpaid) = Books::<T>::charge_vault_fee(operator.as_ref(), chain, fee)?;
		Self::deposit_event(Event::VaultFeePaid { chain, instruction: id, fee, operator, unpaid });
		Ok(())
	}

	/// An instruction's transaction is final, failed, or provably dead. Returns whether the
	/// instruction was still open; fails only if the books would not balance.
	pub(crate) fn apply_outcome(
		id: InstructionId,
		outcome: Outcome,
		fee: LinkedAmount,
	) -> Result<bool, DispatchError> {
		let Some(instruction) = Outbound::<T>::get(id) else { return Ok(false) };
		if !Self::instruction_is_open(&instruction.status) {
			return Ok(false);
		}
		Self::charge_vault_fee(id, &instruction, fee)?;
		match outcome {
			Outcome::Final(tx) => Self::outcome_final(id, instruction, tx)?,
			Outcome::Failed(tx, reason) => Self::outcome_failed(id, instruction, tx, reason)?,
		}
		Ok(true)
	}

	fn outcome_final(
		id: InstructionId,
		mut instruction: InstructionOf<T>,
		tx: LinkedTx,
	) -> DispatchResult {
		let (chain, amount) = (instruction.chain, instruction.amount);
		match &instruction.purpose {
			OutboundPurpose::Withdrawal(operator) => {
				Books::<T>::withdrawal_final(operator, chain, amount)?;
				Self::mutate_operator(operator, |info| info.pending_withdrawals.saturating_dec());
			}
			_ => Books::<T>::outbound_final(chain, amount)?,
		}
		Self::conclude_instruction(id, &mut instruction, OutboundStatus::Final);
		match instruction.purpose {
			OutboundPurpose::Payout(transfer) => Self::payout_final(transfer, id, tx)?,
			OutboundPurpose::Settlement(batch) => {
				for transfer in SettlementBatches::<T>::take(batch).into_iter().flatten() {
					Self::vault_step_final(transfer, id, tx, TransferState::Completed)
				}
			}
			OutboundPurpose::Refund(transfer) => {
				Self::vault_step_final(transfer, id, tx, TransferState::Refunded)
			}
			OutboundPurpose::Withdrawal(_) | OutboundPurpose::DepositReturn(_) => {}
		}
		Ok(())
	}

	fn outcome_failed(
		id: InstructionId,
		mut instruction: InstructionOf<T>,
		tx: Option<LinkedTx>,
		reason: FailureReason,
	) -> DispatchResult {
		let (chain, amount) = (instruction.chain, instruction.amount);
		match instruction.purpose.clone() {
			OutboundPurpose::Payout(transfer) => {
				Self::conclude_instruction(id, &mut instruction, OutboundStatus::Failed);
				Self::payout_failed(transfer, id, &instruction, tx, reason)
			}
			OutboundPurpose::Withdrawal(operator) => {
				// Nothing left the vault: the liquidity is the operator's again.
				Books::<T>::reverse_withdrawal(&operator, chain, amount)?;
				Self::conclude_instruction(id, &mut instruction, OutboundStatus::Failed);
				Self::mutate_operator(&operator, |info| info.pending_withdrawals.saturating_dec());
				Ok(())
			}
			OutboundPurpose::Settlement(_)
			| OutboundPurpose::Refund(_)
			| OutboundPurpose::DepositReturn(_) => {
				Self::retry_or_stick(id, instruction, tx, reason);
				Ok(())
			}
		}
	}

	/// A settlement, refund or deposit return failed: nothing moved and the vault still owes
	/// the amount, so it is tried again as a new instruction, or parked for the admin after
	/// [`MAX_OUTBOUND_ATTEMPTS`].
	fn retry_or_stick(
		id: InstructionId,
		mut instruction: InstructionOf<T>,
		tx: Option<LinkedTx>,
		reason: FailureReason,
	) {
		Self::fix_steps_of(id, &instruction, tx, StepResult::Failed(reason));
		if instruction.attempt >= MAX_OUTBOUND_ATTEMPTS {
			// Still owed: it stays in the ledger, but the workers stop trying.
			instruction.status = OutboundStatus::Stuck;
			Outbound::<T>::insert(id, &instruction);
			PendingOutbound::<T>::remove(instruction.chain, id);
			Self::deposit_event(Event::InstructionStuck { instruction: id });
			return;
		}
		Self::conclude_instruction(id, &mut instruction, OutboundStatus::Failed);
		Self::reissue(&instruction, instruction.attempt.saturating_add(1));
	}

	/// Creates a new instruction doing what `instruction` should have done, with its trail
	/// step. The vault still owes the amount: nothing is posted.
	fn reissue(instruction: &InstructionOf<T>, attempt: u8) {
		let new_id = Self::create_instruction(
			instruction.chain,
			instruction.purpose.clone(),
			instruction.recipient,
			instruction.amount,
			attempt,
		);
		let kind = match instruction.purpose {
			OutboundPurpose::Settlement(_) => StepKind::Settlement,
			OutboundPurpose::Refund(_) => StepKind::Refund,
			_ => return,
		};
		for transfer_id in Self::transfers_of(&instruction.purpose) {
			if let Some(mut record) = Transfers::<T>::get(transfer_id) {
				// Each transfer's step carries its own deposit, not the batch's sum.
				let amount = record.source.amount;
				let chain = instruction.chain;
				Self::push_vault_step(transfer_id, &mut record, kind, chain, new_id, amount);
				Transfers::<T>::insert(transfer_id, record);
			}
		}
	}

	pub(crate) fn do_retry_stuck(id: InstructionId) -> DispatchResult {
		let mut instruction = Outbound::<T>::get(id).ok_or(Error::<T>::UnknownInstruction)?;
		ensure!(instruction.status == OutboundStatus::Stuck, Error::<T>::InstructionNotStuck);
		// Stuck instructions left the pending index already; the new attempt owes the same.
		Self::conclude_instruction(id, &mut instruction, OutboundStatus::Failed);
		Self::reissue(&instruction, 1);
		Ok(())
	}

	/// The payout is final: the hold is confirmed to the operator, who gets the held deposit.
	fn payout_final(
		transfer_id: TransferId,
		instruction: InstructionId,
		tx: LinkedTx,
	) -> DispatchResult {
		let Some(mut transfer) = Transfers::<T>::get(transfer_id) else { return Ok(()) };
		let source = transfer.source;
		let Some(settlement) = SettlementAccounts::<T>::get(&transfer.operator, source.chain)
		else {
			defensive!("operator with open transfers lost its settlement account");
			return Ok(());
		};
		Books::<T>::release_hold(source.chain, source.amount)?;
		Self::fix_step(transfer_id, &mut transfer, instruction, Some(tx), StepResult::Succeeded);
		let settle = Self::join_settlement(&transfer.operator, settlement, transfer_id, source);
		Self::push_vault_step(
			transfer_id,
			&mut transfer,
			StepKind::Settlement,
			source.chain,
			settle,
			source.amount,
		);
		Self::set_state(transfer_id, &mut transfer, TransferState::Settling);
		Transfers::<T>::insert(transfer_id, transfer);
		Ok(())
	}

	/// Adds a transfer's confirmed deposit (`source`) to the settlement its operator's account
	/// `recipient` gets in this block: the one opened earlier in the block if it has room, else
	/// a new one. Returns the settlement instruction.
	fn join_settlement(
		operator: &T::AccountId,
		recipient: LinkedAccount,
		transfer_id: TransferId,
		source: Leg,
	) -> InstructionId {
		let (chain, amount) = (source.chain, source.amount);
		let joined = Self::join_open_settlement(operator, recipient, transfer_id, source);
		let id = joined.unwrap_or_else(|| {
			// The batch is named by the instruction that opens it: the id `create_instruction`
			// takes.
			let batch = NextInstructionId::<T>::get();
			let purpose = OutboundPurpose::Settlement(batch);
			let id = Self::create_instruction(chain, purpose, recipient, amount, 1);
			debug_assert_eq!(id, batch);
			SettlementBatches::<T>::insert(batch, BoundedVec::truncate_from(vec![transfer_id]));
			let now = frame_system::Pallet::<T>::block_number();
			OpenSettlement::<T>::insert(operator, chain, (now, id));
			id
		});
		Self::deposit_event(Event::SettlementJoined {
			instruction: id,
			transfer: transfer_id,
			amount,
		});
		id
	}

	/// Adds the deposit to the settlement opened for the operator on its chain in this block, if
	/// there is one with room that is not yet sent. Returns that settlement's instruction.
	fn join_open_settlement(
		operator: &T::AccountId,
		recipient: LinkedAccount,
		transfer_id: TransferId,
		source: Leg,
	) -> Option<InstructionId> {
		let now = frame_system::Pallet::<T>::block_number();
		let (_, id) = OpenSettlement::<T>::get(operator, source.chain)
			.filter(|(opened, _)| *opened == now)?;
		let mut instruction = Outbound::<T>::get(id)?;
		let total = instruction.amount.checked_add(source.amount)?;
		let joinable =
			instruction.status == OutboundStatus::Pending && instruction.recipient == recipient;
		let OutboundPurpose::Settlement(batch) = instruction.purpose else { return None };
		let joined = joinable
			&& SettlementBatches::<T>::mutate(batch, |transfers| {
				transfers.as_mut().is_some_and(|transfers| transfers.try_push(transfer_id).is_ok())
			});
		if !joined {
			return None;
		}
		instruction.amount = total;
		Outbound::<T>::insert(id, &instruction);
		Some(id)
	}

	/// The payout cannot land: the operator's liquidity is restored and the hold is cancelled,
	/// returning the deposit to the account it came from.
	fn payout_failed(
		transfer_id: TransferId,
		instruction_id: InstructionId,
		instruction: &InstructionOf<T>,
		tx: Option<LinkedTx>,
		reason: FailureReason,
	) -> DispatchResult {
		let Some(mut transfer) = Transfers::<T>::get(transfer_id) else { return Ok(()) };
		let source = transfer.source;
		Books::<T>::reverse_payout(&transfer.operator, instruction.chain, instruction.amount)?;
		Books::<T>::release_hold(source.chain, source.amount)?;
		let failed = StepResult::Failed(reason);
		Self::fix_step(transfer_id, &mut transfer, instruction_id, tx, failed);
		let to = transfer.depositor.unwrap_or(source.account);
		let purpose = OutboundPurpose::Refund(transfer_id);
		let refund = Self::create_instruction(source.chain, purpose, to, source.amount, 1);
		Self::push_vault_step(
			transfer_id,
			&mut transfer,
			StepKind::Refund,
			source.chain,
			refund,
			source.amount,
		);
		Self::set_state(transfer_id, &mut transfer, TransferState::Refunding);
		Transfers::<T>::insert(transfer_id, transfer);
		Ok(())
	}

	/// The settlement or refund is final: the transfer ends.
	fn vault_step_final(
		transfer_id: TransferId,
		instruction: InstructionId,
		tx: LinkedTx,
		state: TransferState,
	) {
		let Some(mut transfer) = Transfers::<T>::get(transfer_id) else { return };
		Self::fix_step(transfer_id, &mut transfer, instruction, Some(tx), StepResult::Succeeded);
		Self::finish(transfer_id, transfer, state);
	}
}

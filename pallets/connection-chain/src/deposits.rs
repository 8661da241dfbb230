//! Deposits into the vaults, once final on their chain: a transfer's deposit is held and its
//! payout issued, a deposit naming a rule opens a transfer, an operator's is credited to its
//! liquidity, and any other is returned to its sender. Each deposit counts once
//! ([`SeenDeposits`]).

use crate::{ledger::Books, pallet::*, types::*};
use frame_support::ensure;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::Zero, DispatchError, DispatchResult, Saturating};

/// A deposit into a vault, final on its chain.
#[derive(Clone, Copy)]
pub(crate) struct VaultDeposit {
	pub chain: ChainId,
	pub tx: LinkedTx,
	pub from: LinkedAccount,
	pub amount: LinkedAmount,
}

impl<T: Config> Pallet<T> {
	/// A deposit into a vault is final. Returns whether it was new; fails only if the books
	/// would not balance.
	pub(crate) fn apply_deposit(
		chain: ChainId,
		tx: LinkedTx,
		from: LinkedAccount,
		amount: LinkedAmount,
		reference: DepositReference<T::AccountId>,
	) -> Result<bool, DispatchError> {
		let Some(linked) = Chains::<T>::get(chain) else { return Ok(false) };
		if SeenDeposits::<T>::contains_key(chain, tx.hash) || from.kind() != linked.kind {
			return Ok(false);
		}
		let deposit = VaultDeposit { chain, tx, from, amount };
		let mut seen = reference.clone();
		let accepted = match reference {
			DepositReference::Transfer(id) => Self::accept_transfer_deposit(id, deposit),
			DepositReference::NewTransfer { rule, recipient, min_received } => {
				Self::open_by_deposit(deposit, (rule, recipient, min_received))
					// Who looks the deposit up finds the transfer it opened.
					.map(|id| seen = DepositReference::Transfer(id))
			}
			DepositReference::Liquidity(ref operator) if Operators::<T>::contains_key(operator) => {
				Self::credit_liquidity_deposit(operator, deposit).map_err(Into::into)
			}
			DepositReference::Liquidity(_) => Err(DepositRejection::UnknownOperator),
			DepositReference::Unknown => Err(DepositRejection::UnknownReference),
		};
		match accepted {
			// The books would not balance: nothing of this deposit may stand (the caller's
			// storage layer takes back what was written).
			Err(DepositRejection::TransferRefused(error))
				if error == Error::<T>::LedgerOutOfBalance.into() =>
			{
				return Err(error)
			}
			Err(reason) => Self::return_deposit(deposit, reason)?,
			Ok(()) => {}
		}
		SeenDeposits::<T>::insert(chain, tx.hash, seen);
		Ok(true)
	}

	/// A deposit that was not accepted is in the vault all the same: it goes back to its sender.
	fn return_deposit(deposit: VaultDeposit, reason: DepositRejection) -> DispatchResult {
		let VaultDeposit { chain, tx, from, amount } = deposit;
		if amount.is_zero() {
			return Ok(());
		}
		Books::<T>::owe_return(chain, amount)?;
		let purpose = OutboundPurpose::DepositReturn(tx.hash);
		let instruction = Self::create_instruction(chain, purpose, from, amount, 1);
		Self::deposit_event(Event::DepositRejected {
			chain,
			tx_hash: tx.hash,
			from,
			amount,
			reason,
			instruction,
		});
		Ok(())
	}

	fn credit_liquidity_deposit(operator: &T::AccountId, deposit: VaultDeposit) -> DispatchResult {
		let VaultDeposit { chain, amount, .. } = deposit;
		Books::<T>::credit_liquidity(operator, chain, amount)?;
		Self::deposit_event(Event::LiquidityDeposited {
			operator: operator.clone(),
			chain,
			amount,
		});
		Ok(())
	}

	fn accept_transfer_deposit(
		transfer_id: TransferId,
		deposit: VaultDeposit,
	) -> Result<(), DepositRejection> {
		let transfer = Transfers::<T>::get(transfer_id).ok_or(DepositRejection::UnknownTransfer)?;
		ensure!(transfer.source.chain == deposit.chain, DepositRejection::WrongChain);
		ensure!(
			transfer.state == TransferState::AwaitingDeposit,
			DepositRejection::NotAwaitingDeposit
		);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now <= transfer.deposit_deadline, DepositRejection::TooLate);
		ensure!(deposit.from == transfer.source.account, DepositRejection::WrongSender);
		ensure!(deposit.amount == transfer.source.amount, DepositRejection::WrongAmount);
		let payout_deadline = Self::payout_deadline_slot()?;
		Ok(Self::hold_deposit(transfer_id, transfer, deposit, payout_deadline)?)
	}

	/// The block a payout issued now gets its deadline at; refused if no block near its due
	/// block has room (nothing would ever end a payout that never lands).
	pub(crate) fn payout_deadline_slot() -> Result<BlockNumberFor<T>, DispatchError> {
		let now = frame_system::Pallet::<T>::block_number();
		Self::deadline_slot(now.saturating_add(Windows::<T>::get().payout))
	}

	/// Holds an accepted deposit in the source vault and issues the payout, whose deadline is
	/// checked at `payout_deadline` (a slot with room).
	pub(crate) fn hold_deposit(
		transfer_id: TransferId,
		mut transfer: TransferOf<T>,
		deposit: VaultDeposit,
		payout_deadline: BlockNumberFor<T>,
	) -> DispatchResult {
		let destination = transfer.destination;
		Books::<T>::hold_deposit(deposit.chain, deposit.amount)?;
		// The operator's reservation becomes the payout.
		Books::<T>::pay_out(&transfer.operator, destination.chain, destination.amount)?;
		Self::queue_deadline(payout_deadline, transfer_id)?;
		transfer.payout_deadline = Some(payout_deadline);
		transfer.depositor = Some(deposit.from);
		let step = Self::deposit_step(&transfer, deposit);
		Self::push_step(transfer_id, &mut transfer, step);
		let payout = Self::create_instruction(
			destination.chain,
			OutboundPurpose::Payout(transfer_id),
			destination.account,
			destination.amount,
			1,
		);
		Self::push_vault_step(
			transfer_id,
			&mut transfer,
			StepKind::Payout,
			destination.chain,
			payout,
			destination.amount,
		);
		Self::set_state(transfer_id, &mut transfer, TransferState::PayingOut);
		Transfers::<T>::insert(transfer_id, transfer);
		Ok(())
	}

	/// The trail step of an accepted deposit, requested when its transfer was.
	fn deposit_step(
		transfer: &TransferOf<T>,
		deposit: VaultDeposit,
	) -> TrailStep<BlockNumberFor<T>> {
		let requested =
			transfer.trail.first().map(|step| step.requested).unwrap_or_else(Self::stamp);
		TrailStep {
			kind: StepKind::Deposit,
			chain: Some(deposit.chain),
			instruction: None,
			amount: deposit.amount,
			tx_hash: Some(deposit.tx.hash),
			block: Some(deposit.tx.block),
			result: StepResult::Succeeded,
			requested,
			fixed: Some(Self::stamp()),
		}
	}
}

//! The books: what each linked chain's vault holds for the pallet ([`VaultLedgers`]) and each
//! operator's liquidity in it ([`OperatorLiquidity`]).
//!
//! Only the postings of [`Books`] write those two maps. A posting is one movement of value and
//! changes every figure it touches together, so the vault ledger always equals the sums it
//! summarises (`try_state` checks it). Arithmetic is checked: a posting that would overflow, or
//! take more from a figure than it holds, changes nothing, is reported as a defensive failure and
//! returns [`Error::LedgerOutOfBalance`]. Running short of free liquidity when reserving a payout
//! or withdrawing is an ordinary refusal instead: [`Error::InsufficientLiquidity`].
//!
//! The vault's pending outbound figure is what it owes on its chain: a posting that makes the
//! vault owe a transfer (a payout, a hold released to a settlement or refund, a withdrawal, a
//! returned deposit) adds to it; one that ends a transfer (final, or failed with nothing moved)
//! takes from it. A transfer retried as a new instruction stays owed and is not posted again.

use crate::{pallet::*, types::*};
use core::marker::PhantomData;
use frame_support::{defensive, ensure};
use sp_runtime::{DispatchError, DispatchResult};

/// The postings of the books (see the module doc).
pub(crate) struct Books<T>(PhantomData<T>);

/// A posting's arithmetic fault: logged, a debug build stops, and nothing is written.
fn fault<T: Config>(what: &'static str) -> DispatchError {
	defensive!(what);
	Error::<T>::LedgerOutOfBalance.into()
}

fn add<T: Config>(
	figure: LinkedAmount,
	amount: LinkedAmount,
	what: &'static str,
) -> Result<LinkedAmount, DispatchError> {
	figure.checked_add(amount).ok_or_else(|| fault::<T>(what))
}

fn sub<T: Config>(
	figure: LinkedAmount,
	amount: LinkedAmount,
	what: &'static str,
) -> Result<LinkedAmount, DispatchError> {
	figure.checked_sub(amount).ok_or_else(|| fault::<T>(what))
}

impl<T: Config> Books<T> {
	/// One posting: `change` computes the new figures of `operator`'s liquidity on `chain` (when
	/// one is named) and of the chain's vault ledger. Nothing is written unless it succeeds;
	/// then what it changed is.
	fn post(
		operator: Option<&T::AccountId>,
		chain: ChainId,
		change: impl FnOnce(&mut Liquidity, &mut VaultLedger) -> DispatchResult,
	) -> DispatchResult {
		let liquidity_before = operator
			.map(|operator| OperatorLiquidity::<T>::get(operator, chain))
			.unwrap_or_default();
		let ledger_before = VaultLedgers::<T>::get(chain);
		let (mut liquidity, mut ledger) = (liquidity_before, ledger_before);
		change(&mut liquidity, &mut ledger)?;
		if let Some(operator) = operator.filter(|_| liquidity != liquidity_before) {
			OperatorLiquidity::<T>::insert(operator, chain, liquidity);
		}
		if ledger != ledger_before {
			VaultLedgers::<T>::insert(chain, ledger);
		}
		Ok(())
	}

	/// An operator's liquidity deposit is final in the vault: its free liquidity grows.
	pub fn credit_liquidity(
		operator: &T::AccountId,
		chain: ChainId,
		amount: LinkedAmount,
	) -> DispatchResult {
		Self::post(Some(operator), chain, |liquidity, ledger| {
			liquidity.free = add::<T>(liquidity.free, amount, "free liquidity overflows")?;
			liquidity.total_deposited =
				add::<T>(liquidity.total_deposited, amount, "deposited liquidity overflows")?;
			ledger.operator_liquidity =
				add::<T>(ledger.operator_liquidity, amount, "vault liquidity overflows")?;
			Ok(())
		})
	}

	/// Promises `amount` of the operator's free liquidity to a transfer's payout.
	pub fn reserve_payout(
		operator: &T::AccountId,
		chain: ChainId,
		amount: LinkedAmount,
	) -> DispatchResult {
		Self::post(Some(operator), chain, |liquidity, _| {
			liquidity.free =
				liquidity.free.checked_sub(amount).ok_or(Error::<T>::InsufficientLiquidity)?;
			liquidity.reserved =
				add::<T>(liquidity.reserved, amount, "reserved liquidity overflows")?;
			Ok(())
		})
	}

	/// A transfer ended before its deposit: its reservation is free liquidity again.
	pub fn release_reservation(
		operator: &T::AccountId,
		chain: ChainId,
		amount: LinkedAmount,
	) -> DispatchResult {
		Self::post(Some(operator), chain, |liquidity, _| {
			liquidity.reserved =
				sub::<T>(liquidity.reserved, amount, "released more than reserved")?;
			liquidity.free = add::<T>(liquidity.free, amount, "free liquidity overflows")?;
			Ok(())
		})
	}

	/// A transfer's deposit is held: its reservation becomes a payout the vault owes.
	pub fn pay_out(
		operator: &T::AccountId,
		chain: ChainId,
		amount: LinkedAmount,
	) -> DispatchResult {
		Self::post(Some(operator), chain, |liquidity, ledger| {
			liquidity.reserved =
				sub::<T>(liquidity.reserved, amount, "paid out more than reserved")?;
			liquidity.total_paid_out =
				add::<T>(liquidity.total_paid_out, amount, "paid-out liquidity overflows")?;
			ledger.operator_liquidity =
				sub::<T>(ledger.operator_liquidity, amount, "vault liquidity below a payout")?;
			owe::<T>(ledger, amount)
		})
	}

	/// A payout cannot land: nothing left the vault, and what it owed is the operator's free
	/// liquidity again.
	pub fn reverse_payout(
		operator: &T::AccountId,
		chain: ChainId,
		amount: LinkedAmount,
	) -> DispatchResult {
		Self::post(Some(operator), chain, |liquidity, ledger| {
			liquidity.total_paid_out =
				sub::<T>(liquidity.total_paid_out, amount, "reversed more than paid out")?;
			give_back::<T>(liquidity, ledger, amount)
		})
	}

	/// A transfer's deposit is accepted: it is held in the vault.
	pub fn hold_deposit(chain: ChainId, amount: LinkedAmount) -> DispatchResult {
		Self::post(None, chain, |_, ledger| {
			ledger.held = add::<T>(ledger.held, amount, "held deposits overflow")?;
			Ok(())
		})
	}

	/// A held deposit is confirmed to its operator or returned to its sender: the vault owes
	/// it to the one or the other.
	pub fn release_hold(chain: ChainId, amount: LinkedAmount) -> DispatchResult {
		Self::post(None, chain, |_, ledger| {
			ledger.held = sub::<T>(ledger.held, amount, "released more than held")?;
			owe::<T>(ledger, amount)
		})
	}

	/// A deposit the pallet does not accept: the vault owes it back to its sender.
	pub fn owe_return(chain: ChainId, amount: LinkedAmount) -> DispatchResult {
		Self::post(None, chain, |_, ledger| owe::<T>(ledger, amount))
	}

	/// An operator withdraws free liquidity: the vault owes it to the operator's account.
	pub fn debit_withdrawal(
		operator: &T::AccountId,
		chain: ChainId,
		amount: LinkedAmount,
	) -> DispatchResult {
		Self::post(Some(operator), chain, |liquidity, ledger| {
			liquidity.free =
				liquidity.free.checked_sub(amount).ok_or(Error::<T>::InsufficientLiquidity)?;
			ledger.operator_liquidity =
				sub::<T>(ledger.operator_liquidity, amount, "vault liquidity below a withdrawal")?;
			owe::<T>(ledger, amount)
		})
	}

	/// A withdrawal failed with nothing moved: the liquidity is the operator's again.
	pub fn reverse_withdrawal(
		operator: &T::AccountId,
		chain: ChainId,
		amount: LinkedAmount,
	) -> DispatchResult {
		Self::post(Some(operator), chain, |liquidity, ledger| {
			give_back::<T>(liquidity, ledger, amount)
		})
	}

	/// A withdrawal is final: it left the vault.
	pub fn withdrawal_final(
		operator: &T::AccountId,
		chain: ChainId,
		amount: LinkedAmount,
	) -> DispatchResult {
		Self::post(Some(operator), chain, |liquidity, ledger| {
			liquidity.total_withdrawn =
				add::<T>(liquidity.total_withdrawn, amount, "withdrawn liquidity overflows")?;
			settle::<T>(ledger, amount)
		})
	}

	/// A payout, settlement, refund or returned deposit is final: it left the vault.
	pub fn outbound_final(chain: ChainId, amount: LinkedAmount) -> DispatchResult {
		Self::post(None, chain, |_, ledger| settle::<T>(ledger, amount))
	}

	/// The vault paid `fee` on its chain for a transaction serving `operator`: it comes out of
	/// that operator's free liquidity (its rules' fees pay it back). What that cannot cover,
	/// and a fee that serves no operator, is owed as unpaid, so the books keep matching the
	/// vault. Returns the part covered and the part owed.
	pub fn charge_vault_fee(
		operator: Option<&T::AccountId>,
		chain: ChainId,
		fee: LinkedAmount,
	) -> Result<(LinkedAmount, LinkedAmount), DispatchError> {
		let (mut covered, mut unpaid) = (0, 0);
		// Without an operator the liquidity is an empty stand-in: nothing is covered.
		Self::post(operator, chain, |liquidity, ledger| {
			covered = liquidity.free.min(fee);
			unpaid = fee.saturating_sub(covered);
			liquidity.free = sub::<T>(liquidity.free, covered, "fee above free liquidity")?;
			liquidity.total_fees = add::<T>(liquidity.total_fees, covered, "fees overflow")?;
			ledger.operator_liquidity =
				sub::<T>(ledger.operator_liquidity, covered, "vault liquidity below a fee")?;
			ledger.unpaid_fees = add::<T>(ledger.unpaid_fees, unpaid, "unpaid fees overflow")?;
			Ok(())
		})?;
		Ok((covered, unpaid))
	}

	/// Closes a leaving operator's books, which must hold nothing, free or reserved.
	pub fn close_operator(operator: &T::AccountId) -> DispatchResult {
		let empty = OperatorLiquidity::<T>::iter_prefix_values(operator).all(|l| l.is_empty());
		ensure!(empty, Error::<T>::OperatorBusy);
		let _ = OperatorLiquidity::<T>::clear_prefix(operator, u32::MAX, None);
		Ok(())
	}
}

/// The vault owes `amount` more on its chain.
fn owe<T: Config>(ledger: &mut VaultLedger, amount: LinkedAmount) -> DispatchResult {
	ledger.pending_outbound =
		add::<T>(ledger.pending_outbound, amount, "pending outbound overflows")?;
	Ok(())
}

/// What the vault owed left it.
fn settle<T: Config>(ledger: &mut VaultLedger, amount: LinkedAmount) -> DispatchResult {
	ledger.pending_outbound =
		sub::<T>(ledger.pending_outbound, amount, "sent more than the vault owes")?;
	Ok(())
}

/// What the vault owed did not leave it: it is the operator's free liquidity again.
fn give_back<T: Config>(
	liquidity: &mut Liquidity,
	ledger: &mut VaultLedger,
	amount: LinkedAmount,
) -> DispatchResult {
	liquidity.free = add::<T>(liquidity.free, amount, "free liquidity overflows")?;
	ledger.pending_outbound =
		sub::<T>(ledger.pending_outbound, amount, "gave back more than the vault owes")?;
	ledger.operator_liquidity =
		add::<T>(ledger.operator_liquidity, amount, "vault liquidity overflows")?;
	Ok(())
}

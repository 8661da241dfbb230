//! The postings of the books, one at a time. These tests post directly, without the records a
//! posting stands for, so they check the two maps themselves rather than `try_state` (which
//! holds the books against the records).

use super::*;
use crate::{ledger::Books, OperatorLiquidity, VaultLedgers};
use frame_support::assert_noop;

/// The operator's liquidity and the vault ledger of `chain`.
fn books(chain: ChainId) -> (Liquidity, VaultLedger) {
	(OperatorLiquidity::<Test>::get(OPERATOR, chain), VaultLedgers::<Test>::get(chain))
}

/// What the vault should hold on `chain`.
fn expected(chain: ChainId) -> LinkedAmount {
	VaultLedgers::<Test>::get(chain).expected_vault_balance().unwrap()
}

#[test]
fn a_payout_moves_the_operators_liquidity_to_what_the_vault_owes_and_back_if_it_fails() {
	new_test_ext().execute_with(|| {
		assert_ok!(Books::<Test>::credit_liquidity(&OPERATOR, EVM, 1_000));
		let (liquidity, ledger) = books(EVM);
		assert_eq!((liquidity.free, liquidity.total_deposited), (1_000, 1_000));
		assert_eq!(ledger.operator_liquidity, 1_000);

		// Reserving moves free to reserved; the vault holds the same.
		assert_ok!(Books::<Test>::reserve_payout(&OPERATOR, EVM, 300));
		let (liquidity, ledger) = books(EVM);
		assert_eq!((liquidity.free, liquidity.reserved), (700, 300));
		assert_eq!((ledger.operator_liquidity, expected(EVM)), (1_000, 1_000));

		// Paying out: the reservation becomes what the vault owes.
		assert_ok!(Books::<Test>::pay_out(&OPERATOR, EVM, 300));
		let (liquidity, ledger) = books(EVM);
		assert_eq!((liquidity.reserved, liquidity.total_paid_out), (0, 300));
		assert_eq!((ledger.operator_liquidity, ledger.pending_outbound), (700, 300));
		assert_eq!(expected(EVM), 1_000);

		// The payout failed: nothing left, the operator has it back.
		assert_ok!(Books::<Test>::reverse_payout(&OPERATOR, EVM, 300));
		let (liquidity, ledger) = books(EVM);
		assert_eq!((liquidity.free, liquidity.total_paid_out), (1_000, 0));
		assert_eq!((ledger.operator_liquidity, ledger.pending_outbound), (1_000, 0));

		// A payout that lands leaves the vault.
		assert_ok!(Books::<Test>::reserve_payout(&OPERATOR, EVM, 200));
		assert_ok!(Books::<Test>::pay_out(&OPERATOR, EVM, 200));
		assert_ok!(Books::<Test>::outbound_final(EVM, 200));
		assert_eq!(expected(EVM), 800);

		// A reservation released before any deposit is free again.
		assert_ok!(Books::<Test>::reserve_payout(&OPERATOR, EVM, 50));
		assert_ok!(Books::<Test>::release_reservation(&OPERATOR, EVM, 50));
		assert_eq!(
			books(EVM).0,
			Liquidity {
				free: 800,
				total_deposited: 1_000,
				total_paid_out: 200,
				..Default::default()
			}
		);
	});
}

#[test]
fn a_held_deposit_is_owed_once_released_and_a_returned_deposit_is_owed_at_once() {
	new_test_ext().execute_with(|| {
		assert_ok!(Books::<Test>::hold_deposit(SUBSTRATE, 1_000));
		assert_eq!((books(SUBSTRATE).1.held, expected(SUBSTRATE)), (1_000, 1_000));
		assert_ok!(Books::<Test>::release_hold(SUBSTRATE, 1_000));
		let ledger = books(SUBSTRATE).1;
		assert_eq!((ledger.held, ledger.pending_outbound, expected(SUBSTRATE)), (0, 1_000, 1_000));
		assert_ok!(Books::<Test>::owe_return(SUBSTRATE, 40));
		assert_eq!((books(SUBSTRATE).1.pending_outbound, expected(SUBSTRATE)), (1_040, 1_040));
		assert_ok!(Books::<Test>::outbound_final(SUBSTRATE, 1_040));
		assert_eq!(books(SUBSTRATE).1, VaultLedger::default());
	});
}

#[test]
fn a_withdrawal_is_owed_to_the_operator_and_credited_back_if_it_fails() {
	new_test_ext().execute_with(|| {
		assert_ok!(Books::<Test>::credit_liquidity(&OPERATOR, EVM, 1_000));
		assert_ok!(Books::<Test>::debit_withdrawal(&OPERATOR, EVM, 400));
		let (liquidity, ledger) = books(EVM);
		assert_eq!(liquidity.free, 600);
		assert_eq!((ledger.operator_liquidity, ledger.pending_outbound), (600, 400));
		assert_ok!(Books::<Test>::reverse_withdrawal(&OPERATOR, EVM, 400));
		assert_eq!(books(EVM).0.free, 1_000);
		assert_eq!(books(EVM).1.pending_outbound, 0);
		assert_ok!(Books::<Test>::debit_withdrawal(&OPERATOR, EVM, 400));
		assert_ok!(Books::<Test>::withdrawal_final(&OPERATOR, EVM, 400));
		let (liquidity, ledger) = books(EVM);
		assert_eq!((liquidity.free, liquidity.total_withdrawn), (600, 400));
		assert_eq!((ledger.pending_outbound, expected(EVM)), (0, 600));
	});
}

#[test]
fn a_vault_fee_comes_out_of_free_liquidity_and_what_it_cannot_cover_is_owed() {
	new_test_ext().execute_with(|| {
		assert_ok!(Books::<Test>::credit_liquidity(&OPERATOR, EVM, 100));
		assert_eq!(Books::<Test>::charge_vault_fee(Some(&OPERATOR), EVM, 30), Ok((30, 0)));
		assert_eq!(Books::<Test>::charge_vault_fee(Some(&OPERATOR), EVM, 90), Ok((70, 20)));
		// A fee that serves no operator (a returned deposit) is owed whole.
		assert_eq!(Books::<Test>::charge_vault_fee(None, EVM, 5), Ok((0, 5)));
		let (liquidity, ledger) = books(EVM);
		assert_eq!((liquidity.free, liquidity.total_fees), (0, 100));
		assert_eq!((ledger.operator_liquidity, ledger.unpaid_fees), (0, 25));
	});
}

#[test]
fn reserving_or_withdrawing_more_than_the_free_liquidity_is_refused_and_changes_nothing() {
	new_test_ext().execute_with(|| {
		assert_ok!(Books::<Test>::credit_liquidity(&OPERATOR, EVM, 100));
		assert_ok!(Books::<Test>::reserve_payout(&OPERATOR, EVM, 60));
		assert_noop!(
			Books::<Test>::reserve_payout(&OPERATOR, EVM, 41),
			Error::<Test>::InsufficientLiquidity
		);
		assert_noop!(
			Books::<Test>::debit_withdrawal(&OPERATOR, EVM, 41),
			Error::<Test>::InsufficientLiquidity
		);
		assert_eq!((books(EVM).0.free, books(EVM).0.reserved), (40, 60));
	});
}

/// A posting that would take more than a figure holds, or overflow one, is a fault: a debug
/// build stops on it (`defensive!`); a release build gets the error, with nothing written.
#[test]
#[cfg_attr(debug_assertions, should_panic(expected = "Defensive failure"))]
fn a_posting_that_would_not_balance_fails_loudly_and_changes_nothing() {
	new_test_ext().execute_with(|| {
		assert_ok!(Books::<Test>::credit_liquidity(&OPERATOR, EVM, 100));
		assert_ok!(Books::<Test>::hold_deposit(EVM, 10));
		let before = books(EVM);
		let out_of_balance = Err(Error::<Test>::LedgerOutOfBalance.into());
		assert_eq!(Books::<Test>::release_hold(EVM, 11), out_of_balance);
		assert_eq!(Books::<Test>::pay_out(&OPERATOR, EVM, 1), out_of_balance);
		assert_eq!(Books::<Test>::outbound_final(EVM, 1), out_of_balance);
		assert_eq!(
			Books::<Test>::credit_liquidity(&OPERATOR, EVM, LinkedAmount::MAX),
			out_of_balance
		);
		assert_eq!(books(EVM), before);
	});
}

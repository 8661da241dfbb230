//! Operators: bond, settlement accounts, liquidity in and out, deregistration.

use super::*;
use crate::{Event, HoldReason, Operators};
use frame_support::traits::fungible::InspectHold;

#[test]
fn register_operator_holds_the_bond() {
	new_test_ext().execute_with(|| {
		assert_ok!(ConnectionChain::register_operator(RuntimeOrigin::signed(OPERATOR)));
		let held = <Balances as InspectHold<_>>::balance_on_hold(
			&HoldReason::OperatorBond.into(),
			&OPERATOR,
		);
		assert_eq!(held, OPERATOR_BOND);
		assert_noop!(
			ConnectionChain::register_operator(RuntimeOrigin::signed(OPERATOR)),
			Error::<Test>::AlreadyOperator
		);
		assert_noop!(
			ConnectionChain::register_operator(RuntimeOrigin::signed(POOR)),
			Error::<Test>::CannotHoldBond
		);
	});
}

#[test]
fn settlement_accounts_are_checked_against_the_chain_kind() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ConnectionChain::set_settlement_account(
				RuntimeOrigin::signed(OPERATOR),
				EVM,
				OPERATOR_EVM.to_vec()
			),
			Error::<Test>::NotOperator
		);
		assert_ok!(ConnectionChain::register_operator(RuntimeOrigin::signed(OPERATOR)));
		assert_noop!(
			ConnectionChain::set_settlement_account(
				RuntimeOrigin::signed(OPERATOR),
				EVM,
				OPERATOR_SUB.to_vec()
			),
			Error::<Test>::MalformedAccount
		);
		assert_noop!(
			ConnectionChain::set_settlement_account(
				RuntimeOrigin::signed(OPERATOR),
				5,
				OPERATOR_EVM.to_vec()
			),
			Error::<Test>::UnknownChain
		);
		assert_ok!(ConnectionChain::set_settlement_account(
			RuntimeOrigin::signed(OPERATOR),
			EVM,
			OPERATOR_EVM.to_vec()
		));
		assert_eq!(
			crate::SettlementAccounts::<Test>::get(OPERATOR, EVM),
			Some(LinkedAccount::Evm(OPERATOR_EVM))
		);
	});
}

#[test]
fn liquidity_deposits_are_credited_once_seen_and_unknown_operators_refunded() {
	new_test_ext().execute_with(|| {
		with_operator();
		assert_eq!(
			liquidity(EVM),
			Liquidity { free: LIQUIDITY, total_deposited: LIQUIDITY, ..Default::default() }
		);
		assert_eq!(ledger(EVM).operator_liquidity, LIQUIDITY);
		report_all(Observation::Deposit {
			chain: EVM,
			tx: linked_tx(50),
			from: LinkedAccount::Evm([1; 20]),
			amount: 77,
			reference: DepositReference::Liquidity(OTHER),
		});
		assert!(events().iter().any(|e| matches!(
			e,
			Event::DepositRejected { reason: DepositRejection::UnknownOperator, amount: 77, .. }
		)));
		assert_eq!(ledger(EVM).pending_outbound, 77);
		check_invariants();
	});
}

#[test]
fn withdrawal_moves_free_liquidity_out_and_a_failed_one_is_credited_back() {
	new_test_ext().execute_with(|| {
		with_operator();
		assert_noop!(
			ConnectionChain::withdraw_liquidity(
				RuntimeOrigin::signed(OPERATOR),
				EVM,
				LIQUIDITY + 1
			),
			Error::<Test>::InsufficientLiquidity
		);
		assert_noop!(
			ConnectionChain::withdraw_liquidity(RuntimeOrigin::signed(OPERATOR), EVM, 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			ConnectionChain::withdraw_liquidity(RuntimeOrigin::signed(OTHER), EVM, 1),
			Error::<Test>::NotOperator
		);
		// Reserved liquidity cannot be withdrawn.
		request(SUB_TO_EVM, 1_000, "w");
		assert_noop!(
			ConnectionChain::withdraw_liquidity(
				RuntimeOrigin::signed(OPERATOR),
				EVM,
				LIQUIDITY - 1_959
			),
			Error::<Test>::InsufficientLiquidity
		);
		assert_ok!(ConnectionChain::withdraw_liquidity(RuntimeOrigin::signed(OPERATOR), EVM, 500));
		let withdrawal = crate::PendingOutbound::<Test>::iter_key_prefix(EVM).next().unwrap();
		let i = instruction(withdrawal);
		assert_eq!((i.recipient, i.amount), (LinkedAccount::Evm(OPERATOR_EVM), 500));
		assert_eq!(liquidity(EVM).free, LIQUIDITY - 1_960 - 500);
		check_invariants();
		fail(withdrawal, 1);
		assert_eq!(liquidity(EVM).free, LIQUIDITY - 1_960);
		assert_eq!(Operators::<Test>::get(OPERATOR).unwrap().pending_withdrawals, 0);
		assert_ok!(ConnectionChain::withdraw_liquidity(RuntimeOrigin::signed(OPERATOR), EVM, 500));
		let withdrawal = crate::PendingOutbound::<Test>::iter_key_prefix(EVM).next().unwrap();
		finalize(withdrawal, 2);
		assert_eq!(liquidity(EVM).total_withdrawn, 500);
		check_invariants();
	});
}

#[test]
fn deregistration_needs_nothing_open_and_releases_the_bond() {
	new_test_ext().execute_with(|| {
		with_operator();
		assert_noop!(
			ConnectionChain::deregister_operator(RuntimeOrigin::signed(OPERATOR)),
			Error::<Test>::OperatorBusy
		);
		assert_ok!(ConnectionChain::remove_rule(RuntimeOrigin::signed(OPERATOR), SUB_TO_EVM));
		assert_ok!(ConnectionChain::remove_rule(RuntimeOrigin::signed(OPERATOR), EVM_TO_SUB));
		// Liquidity left on both chains.
		assert_noop!(
			ConnectionChain::deregister_operator(RuntimeOrigin::signed(OPERATOR)),
			Error::<Test>::OperatorBusy
		);
		for (chain, tx) in [(SUBSTRATE, 1), (EVM, 2)] {
			assert_ok!(ConnectionChain::withdraw_liquidity(
				RuntimeOrigin::signed(OPERATOR),
				chain,
				LIQUIDITY
			));
			// A withdrawal in flight keeps the operator busy.
			assert_noop!(
				ConnectionChain::deregister_operator(RuntimeOrigin::signed(OPERATOR)),
				Error::<Test>::OperatorBusy
			);
			finalize(crate::PendingOutbound::<Test>::iter_key_prefix(chain).next().unwrap(), tx);
		}
		assert_ok!(ConnectionChain::deregister_operator(RuntimeOrigin::signed(OPERATOR)));
		assert_eq!(Balances::free_balance(OPERATOR), 100_000);
		assert!(!Operators::<Test>::contains_key(OPERATOR));
		assert_noop!(
			ConnectionChain::deregister_operator(RuntimeOrigin::signed(OPERATOR)),
			Error::<Test>::NotOperator
		);
		check_invariants();
	});
}

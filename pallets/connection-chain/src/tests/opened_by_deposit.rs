//! Transfers opened by their deposit alone: the memo names the rule, the recipient and the least
//! to receive; there is no request.

use super::*;
use crate::{SeenDeposits, TransfersByRequester, TransfersByState};

/// The memo of a deposit opening a transfer under `rule` to `recipient`.
fn opening(
	rule: RuleId,
	recipient: LinkedAccount,
	min_received: LinkedAmount,
) -> DepositReference<AccountId> {
	DepositReference::NewTransfer { rule, recipient, min_received }
}

/// Reports a deposit of `amount` from `from` on `chain` in linked transaction `tx`.
fn deposit_on(
	chain: ChainId,
	from: LinkedAccount,
	amount: LinkedAmount,
	tx: u8,
	reference: DepositReference<AccountId>,
) {
	report_all(Observation::Deposit { chain, tx: linked_tx(tx), from, amount, reference });
}

/// The standard opening deposit: 1_000 from `SENDER_SUB` under `SUB_TO_EVM` to `RECIPIENT_EVM`.
fn standard_opening(tx: u8) -> Observation<AccountId> {
	Observation::Deposit {
		chain: SUBSTRATE,
		tx: linked_tx(tx),
		from: LinkedAccount::Substrate(SENDER_SUB),
		amount: 1_000,
		reference: opening(SUB_TO_EVM, LinkedAccount::Evm(RECIPIENT_EVM), 0),
	}
}

/// Reports the standard opening deposit; checks it was refused with `error` and opened nothing.
fn assert_standard_opening_refused(error: Error<Test>) {
	report_all(standard_opening(1));
	assert_eq!(rejections(), vec![DepositRejection::TransferRefused(error.into())]);
	assert_eq!(crate::NextTransferId::<Test>::get(), 0);
	assert_eq!(liquidity(EVM).free, LIQUIDITY);
	check_invariants();
}

fn rejections() -> Vec<DepositRejection> {
	events()
		.into_iter()
		.filter_map(|e| match e {
			crate::Event::DepositRejected { reason, .. } => Some(reason),
			_ => None,
		})
		.collect()
}

#[test]
fn a_deposit_naming_a_rule_opens_a_held_transfer_that_completes() {
	new_test_ext().execute_with(|| {
		with_operator();
		run_to_block(3);
		let id = crate::NextTransferId::<Test>::get();
		deposit_on(
			SUBSTRATE,
			LinkedAccount::Substrate(SENDER_SUB),
			1_000,
			1,
			opening(SUB_TO_EVM, LinkedAccount::Evm(RECIPIENT_EVM), 1_960),
		);
		// Priced as a request of 1_000 would be: fee 20, net 980 at 2/1.
		let t = transfer(id);
		assert_eq!(t.requester, None);
		assert_eq!((t.state, t.hold), (TransferState::PayingOut, HoldState::Held));
		assert_eq!((t.fee, t.source.amount, t.destination.amount), (20, 1_000, 1_960));
		assert_eq!(t.source.account, LinkedAccount::Substrate(SENDER_SUB));
		assert_eq!(t.destination.account, LinkedAccount::Evm(RECIPIENT_EVM));
		assert_eq!(t.depositor, Some(LinkedAccount::Substrate(SENDER_SUB)));
		assert_eq!(t.payout_deadline, Some(3 + PAYOUT_WINDOW));
		assert_eq!(ledger(SUBSTRATE).held, 1_000);
		// The reserved payout became the payout at once.
		assert_eq!(liquidity(EVM).reserved, 0);
		assert_eq!(liquidity(EVM).free, LIQUIDITY - 1_960);
		assert!(!TransfersByState::<Test>::contains_key(TransferState::AwaitingDeposit, id));
		assert_eq!(TransfersByRequester::<Test>::iter().count(), 0);
		// The deposit is looked up to the transfer it opened.
		assert_eq!(
			SeenDeposits::<Test>::get(SUBSTRATE, linked_tx(1).hash),
			Some(DepositReference::Transfer(id))
		);
		assert!(events().iter().any(|e| matches!(
			e,
			crate::Event::TransferRequested { transfer, requester: None, amount_out: 1_960, .. }
				if *transfer == id
		)));
		check_invariants();

		let payout = instruction_of(id, StepKind::Payout);
		run_to_block(4);
		finalize(payout, 2);
		let settlement = instruction_of(id, StepKind::Settlement);
		run_to_block(5);
		finalize(settlement, 3);
		assert_eq!(transfer(id).state, TransferState::Completed);
		assert_eq!(
			trail_kinds(id),
			vec![
				(StepKind::Deposit, StepResult::Succeeded),
				(StepKind::Payout, StepResult::Succeeded),
				(StepKind::Settlement, StepResult::Succeeded),
			]
		);
		let deposit_step = &transfer(id).trail[0];
		assert_eq!(
			(deposit_step.tx_hash, deposit_step.block),
			(Some(linked_tx(1).hash), Some(linked_tx(1).block))
		);
		assert_eq!(deposit_step.requested, deposit_step.fixed.unwrap());
		assert_eq!(ledger(SUBSTRATE).held, 0);
		check_invariants();
	});
}

#[test]
fn an_evm_deposit_opens_a_transfer_to_the_substrate_chain_and_a_failed_payout_refunds_it() {
	new_test_ext().execute_with(|| {
		with_operator();
		let id = crate::NextTransferId::<Test>::get();
		deposit_on(
			EVM,
			LinkedAccount::Evm(SENDER_EVM),
			2_000,
			1,
			opening(EVM_TO_SUB, LinkedAccount::Substrate(RECIPIENT_SUB), 0),
		);
		assert_eq!(transfer(id).state, TransferState::PayingOut);
		fail(instruction_of(id, StepKind::Payout), 2);
		let refund = instruction(instruction_of(id, StepKind::Refund));
		assert_eq!(
			(refund.chain, refund.recipient, refund.amount),
			(EVM, LinkedAccount::Evm(SENDER_EVM), 2_000)
		);
		finalize(instruction_of(id, StepKind::Refund), 3);
		assert_eq!(transfer(id).state, TransferState::Refunded);
		assert_eq!(liquidity(SUBSTRATE).free, LIQUIDITY);
		check_invariants();
	});
}

#[test]
fn a_deposit_that_cannot_open_its_transfer_is_returned_and_changes_nothing_else() {
	new_test_ext().execute_with(|| {
		with_operator();
		let sender = LinkedAccount::Substrate(SENDER_SUB);
		let to_evm = LinkedAccount::Evm(RECIPIENT_EVM);
		let cases = [
			// 1_000 buys 1_960: asking 1_961 is refused.
			(
				SUBSTRATE,
				1_000,
				opening(SUB_TO_EVM, to_evm, 1_961),
				Error::<Test>::BelowMinReceived.into(),
			),
			(SUBSTRATE, 1_000, opening(7, to_evm, 0), Error::<Test>::UnknownRule.into()),
			// A Substrate account cannot receive on the EVM chain.
			(
				SUBSTRATE,
				1_000,
				opening(SUB_TO_EVM, LinkedAccount::Substrate(RECIPIENT_SUB), 0),
				Error::<Test>::MalformedAccount.into(),
			),
			// More than the operator's free liquidity (1_000 after the withdrawal) could pay.
			(
				SUBSTRATE,
				1_000,
				opening(SUB_TO_EVM, to_evm, 0),
				Error::<Test>::InsufficientLiquidity.into(),
			),
		];
		assert_ok!(ConnectionChain::withdraw_liquidity(
			RuntimeOrigin::signed(OPERATOR),
			EVM,
			LIQUIDITY - 1_000
		));
		let liquidity_before = (liquidity(EVM), liquidity(SUBSTRATE));
		let volume_before = crate::ChainVolume::<Test>::get(SUBSTRATE);
		for (tx, (chain, amount, reference, error)) in (1u8..).zip(cases) {
			deposit_on(chain, sender, amount, tx, reference);
			assert_eq!(rejections().last(), Some(&DepositRejection::TransferRefused(error)));
		}
		// A deposit on the EVM chain naming the rule from the Substrate chain.
		deposit_on(EVM, LinkedAccount::Evm(SENDER_EVM), 1_000, 9, opening(SUB_TO_EVM, to_evm, 0));
		assert_eq!(rejections().last(), Some(&DepositRejection::WrongChain));

		assert_eq!(crate::NextTransferId::<Test>::get(), 0);
		assert_eq!((liquidity(EVM), liquidity(SUBSTRATE)), liquidity_before);
		assert_eq!(crate::ChainVolume::<Test>::get(SUBSTRATE), volume_before);
		assert_eq!(crate::Operators::<Test>::get(OPERATOR).unwrap().open_transfers, 0);
		// Each deposit is on its way back to its sender, and none counts twice.
		let returns = || {
			Outbound::<Test>::iter_values()
				.filter(|i| matches!(i.purpose, OutboundPurpose::DepositReturn(_)))
				.map(|i| (i.chain, i.recipient, i.amount))
				.collect::<Vec<_>>()
		};
		assert_eq!(returns().len(), 5);
		assert_eq!(returns().iter().filter(|r| **r == (SUBSTRATE, sender, 1_000)).count(), 4);
		assert!(returns().contains(&(EVM, LinkedAccount::Evm(SENDER_EVM), 1_000)));
		assert!(!ConnectionChain::apply_deposit(
			SUBSTRATE,
			linked_tx(1),
			sender,
			1_000,
			opening(SUB_TO_EVM, to_evm, 0)
		)
		.unwrap());
		assert_eq!(returns().len(), 5);
		check_invariants();
	});
}

#[test]
fn a_paused_chain_refuses_deposits_opening_transfers() {
	new_test_ext().execute_with(|| {
		with_operator();
		assert_ok!(ConnectionChain::pause_chain(RuntimeOrigin::root(), EVM));
		assert_standard_opening_refused(Error::<Test>::ChainPaused);
	});
}

#[test]
fn a_report_of_opening_deposits_is_charged_for_them_and_their_rules_campaigns() {
	new_test_ext().execute_with(|| {
		use crate::weights::WeightInfo;
		with_operator();
		assert_ok!(ConnectionChain::create_campaign(
			RuntimeOrigin::signed(OPERATOR),
			SUB_TO_EVM,
			super::rules::campaign_terms(1, 10)
		));
		let charged =
			dispatch_report(signed_report_of(0, &[standard_opening(1), standard_opening(2)]));
		assert_eq!(crate::NextTransferId::<Test>::get(), 2);
		// Two transfers priced under a rule with one campaign each: two campaigns, as a request
		// is charged for them.
		let campaigns = <() as WeightInfo>::request_transfer(2)
			.saturating_sub(<() as WeightInfo>::request_transfer(0));
		assert!(campaigns.ref_time() > 0);
		assert_eq!(charged, <() as WeightInfo>::report_new_transfers(2) + campaigns);
		assert!(charged.ref_time() < crate::attestation::report_weight::<Test>(2).ref_time());
		check_invariants();
	});
}

#[test]
fn a_deposit_is_refused_when_its_payout_deadline_has_no_slot() {
	new_test_ext().execute_with(|| {
		with_operator();
		// Fill every queue a payout deadline from block 1 could use.
		let due = 1 + PAYOUT_WINDOW;
		let most = <Test as crate::Config>::MaxDeadlinesPerBlock::get();
		for at in due..=due + 64 {
			for transfer in 0..most {
				assert_ok!(ConnectionChain::schedule_deadline(at, 1_000 + u64::from(transfer)));
			}
		}
		assert_standard_opening_refused(Error::<Test>::DeadlineQueueFull);
	});
}

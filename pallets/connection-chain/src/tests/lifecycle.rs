//! The transfer lifecycle: the happy path each way and every failure path.

use super::*;
use crate::{HoldReason, TransfersByState};
use frame_support::traits::fungible::InspectHold;

fn held_deposit(who: AccountId) -> Balance {
	<Balances as InspectHold<_>>::balance_on_hold(&HoldReason::RequestDeposit.into(), &who)
}

#[test]
fn substrate_to_evm_completes_with_full_trail() {
	new_test_ext().execute_with(|| {
		with_operator();
		let id = request(SUB_TO_EVM, 1_000, "a");
		// fee = 10 + 1 % of 1_000 = 20; net 980 at 2/1 = 1_960.
		let t = transfer(id);
		assert_eq!(
			(t.fee, t.destination.amount, t.state),
			(20, 1_960, TransferState::AwaitingDeposit)
		);
		assert_eq!(held_deposit(REQUESTER), REQUEST_DEPOSIT);
		assert_eq!(liquidity(EVM).reserved, 1_960);
		assert_eq!(liquidity(EVM).free, LIQUIDITY - 1_960);

		run_to_block(3);
		deposit(id, 1_000, 1);
		let t = transfer(id);
		assert_eq!((t.state, t.hold), (TransferState::PayingOut, HoldState::Held));
		assert_eq!(ledger(SUBSTRATE).held, 1_000);
		let payout = instruction_of(id, StepKind::Payout);
		let i = instruction(payout);
		assert_eq!(
			(i.chain, i.recipient, i.amount),
			(EVM, LinkedAccount::Evm(RECIPIENT_EVM), 1_960)
		);
		assert_eq!(ledger(EVM).pending_outbound, 1_960);
		check_invariants();

		run_to_block(4);
		include(payout, 2);
		assert_eq!(transfer(id).trail[2].result, StepResult::Submitted);
		assert_eq!(transfer(id).trail[2].tx_hash, Some(linked_tx(2).hash));
		run_to_block(5);
		finalize(payout, 2);
		let t = transfer(id);
		assert_eq!((t.state, t.hold), (TransferState::Settling, HoldState::ConfirmedToOperator));
		assert_eq!(ledger(SUBSTRATE).held, 0);
		let settlement = instruction_of(id, StepKind::Settlement);
		let i = instruction(settlement);
		assert_eq!(
			(i.chain, i.recipient, i.amount),
			(SUBSTRATE, LinkedAccount::Substrate(OPERATOR_SUB), 1_000)
		);

		run_to_block(6);
		finalize(settlement, 3);
		let t = transfer(id);
		assert_eq!(t.state, TransferState::Completed);
		assert_eq!(held_deposit(REQUESTER), 0);
		assert_eq!(
			trail_kinds(id),
			vec![
				(StepKind::Request, StepResult::Succeeded),
				(StepKind::Deposit, StepResult::Succeeded),
				(StepKind::Payout, StepResult::Succeeded),
				(StepKind::Settlement, StepResult::Succeeded),
			]
		);
		// Each linked-chain step has its tx hash and block; each has both times.
		for (step, seed) in t.trail.iter().skip(1).zip([1u8, 2, 3]) {
			assert_eq!(step.tx_hash, Some(linked_tx(seed).hash));
			assert_eq!(step.block, Some(linked_tx(seed).block));
			assert!(step.fixed.unwrap().block >= step.requested.block);
		}
		assert_eq!(t.trail[1].fixed.unwrap().block, 3);
		assert_eq!(t.trail[3].fixed.unwrap(), Stamp { block: 6, time: 12_000 });
		// Everything left the vaults' books: held 0, nothing pending; the operator paid 1_960.
		assert_eq!(
			ledger(SUBSTRATE),
			VaultLedger {
				held: 0,
				operator_liquidity: LIQUIDITY,
				pending_outbound: 0,
				unpaid_fees: 0
			}
		);
		assert_eq!(ledger(EVM).operator_liquidity, LIQUIDITY - 1_960);
		assert_eq!(liquidity(EVM).total_paid_out, 1_960);
		assert!(TransfersByState::<Test>::contains_key(TransferState::Completed, id));
		check_invariants();
	});
}

#[test]
fn evm_to_substrate_completes() {
	new_test_ext().execute_with(|| {
		with_operator();
		let id = request(EVM_TO_SUB, 1_000, "b");
		// fee 4; 996 at 1/2 = 498.
		assert_eq!(transfer(id).destination.amount, 498);
		deposit(id, 1_000, 1);
		let payout = instruction_of(id, StepKind::Payout);
		assert_eq!(instruction(payout).recipient, LinkedAccount::Substrate(RECIPIENT_SUB));
		finalize(payout, 2);
		let settlement = instruction_of(id, StepKind::Settlement);
		assert_eq!(instruction(settlement).recipient, LinkedAccount::Evm(OPERATOR_EVM));
		finalize(settlement, 3);
		assert_eq!(transfer(id).state, TransferState::Completed);
		assert_eq!(ledger(SUBSTRATE).operator_liquidity, LIQUIDITY - 498);
		check_invariants();
	});
}

#[test]
fn no_deposit_by_the_deadline_expires_by_itself() {
	new_test_ext().execute_with(|| {
		with_operator();
		let id = request(SUB_TO_EVM, 1_000, "c");
		let deadline = transfer(id).deposit_deadline;
		assert_eq!(deadline, 1 + DEPOSIT_WINDOW);
		run_to_block(deadline - 1);
		assert_eq!(transfer(id).state, TransferState::AwaitingDeposit);
		run_to_block(deadline);
		let t = transfer(id);
		assert_eq!((t.state, t.hold), (TransferState::Expired, HoldState::NeverDeposited));
		assert_eq!(trail_kinds(id).last().unwrap().0, StepKind::Expiry);
		// Nothing moved: the reservation is free again and the request deposit is back.
		assert_eq!(
			liquidity(EVM),
			Liquidity { free: LIQUIDITY, total_deposited: LIQUIDITY, ..Default::default() }
		);
		assert_eq!(held_deposit(REQUESTER), 0);
		assert!(crate::DeadlineQueue::<Test>::get(deadline).is_empty());
		check_invariants();
	});
}

#[test]
fn a_deposit_after_expiry_is_returned() {
	new_test_ext().execute_with(|| {
		with_operator();
		let id = request(SUB_TO_EVM, 1_000, "d");
		run_to_block(transfer(id).deposit_deadline);
		deposit(id, 1_000, 1);
		assert_eq!(transfer(id).state, TransferState::Expired);
		let returned = crate::PendingOutbound::<Test>::iter_key_prefix(SUBSTRATE).next().unwrap();
		let i = instruction(returned);
		assert_eq!(i.purpose, OutboundPurpose::DepositReturn(linked_tx(1).hash));
		assert_eq!((i.recipient, i.amount), (LinkedAccount::Substrate(SENDER_SUB), 1_000));
		assert!(events().iter().any(|e| matches!(
			e,
			crate::Event::DepositRejected { reason: DepositRejection::NotAwaitingDeposit, .. }
		)));
		assert_eq!(ledger(SUBSTRATE).pending_outbound, 1_000);
		finalize(returned, 2);
		assert_eq!(ledger(SUBSTRATE).pending_outbound, 0);
		check_invariants();
	});
}

#[test]
fn wrong_amount_or_sender_deposits_are_returned_and_the_right_one_still_counts() {
	new_test_ext().execute_with(|| {
		with_operator();
		let id = request(SUB_TO_EVM, 1_000, "e");
		deposit(id, 999, 1);
		report_all(Observation::Deposit {
			chain: SUBSTRATE,
			tx: linked_tx(2),
			from: LinkedAccount::Substrate([0x99; 32]),
			amount: 1_000,
			reference: DepositReference::Transfer(id),
		});
		let reasons: Vec<_> = events()
			.into_iter()
			.filter_map(|e| match e {
				crate::Event::DepositRejected { reason, from, amount, .. } => {
					Some((reason, from, amount))
				}
				_ => None,
			})
			.collect();
		assert_eq!(
			reasons,
			vec![
				(DepositRejection::WrongAmount, LinkedAccount::Substrate(SENDER_SUB), 999),
				(DepositRejection::WrongSender, LinkedAccount::Substrate([0x99; 32]), 1_000),
			]
		);
		assert_eq!(transfer(id).state, TransferState::AwaitingDeposit);
		assert_eq!(ledger(SUBSTRATE).pending_outbound, 1_999);
		deposit(id, 1_000, 3);
		assert_eq!(transfer(id).state, TransferState::PayingOut);
		// A second, identical deposit for a transfer already held is returned too.
		deposit(id, 1_000, 4);
		assert_eq!(ledger(SUBSTRATE).held, 1_000);
		assert_eq!(ledger(SUBSTRATE).pending_outbound, 2_999);
		check_invariants();
	});
}

#[test]
fn the_same_deposit_is_never_counted_twice() {
	new_test_ext().execute_with(|| {
		with_operator();
		let id = request(SUB_TO_EVM, 1_000, "f");
		deposit(id, 1_000, 1);
		let call = signed_report(
			1,
			&Observation::Deposit {
				chain: SUBSTRATE,
				tx: linked_tx(1),
				from: LinkedAccount::Substrate(SENDER_SUB),
				amount: 1_000,
				reference: DepositReference::Transfer(id),
			},
		);
		assert!(authorize(&call).is_err(), "a handled deposit is stale");
		assert_eq!(ledger(SUBSTRATE).held, 1_000);
		check_invariants();
	});
}

#[test]
fn failed_payout_refunds_the_held_asset_to_its_sender() {
	new_test_ext().execute_with(|| {
		with_operator();
		let id = request(SUB_TO_EVM, 1_000, "g");
		deposit(id, 1_000, 1);
		let payout = instruction_of(id, StepKind::Payout);
		fail(payout, 2);
		let t = transfer(id);
		assert_eq!((t.state, t.hold), (TransferState::Refunding, HoldState::ReturnedToSender));
		// Nothing was paid: the operator's liquidity is whole again.
		assert_eq!(liquidity(EVM).free, LIQUIDITY);
		assert_eq!(liquidity(EVM).total_paid_out, 0);
		let refund = instruction_of(id, StepKind::Refund);
		let i = instruction(refund);
		assert_eq!(
			(i.chain, i.recipient, i.amount),
			(SUBSTRATE, LinkedAccount::Substrate(SENDER_SUB), 1_000)
		);
		finalize(refund, 3);
		assert_eq!(transfer(id).state, TransferState::Refunded);
		assert_eq!(
			trail_kinds(id),
			vec![
				(StepKind::Request, StepResult::Succeeded),
				(StepKind::Deposit, StepResult::Succeeded),
				(StepKind::Payout, StepResult::Failed(FailureReason::Reverted)),
				(StepKind::Refund, StepResult::Succeeded),
			]
		);
		let refund_step = &transfer(id).trail[3];
		assert_eq!(
			(refund_step.tx_hash, refund_step.fixed.unwrap().time),
			(Some(linked_tx(3).hash), 2_000)
		);
		assert_eq!(held_deposit(REQUESTER), 0);
		check_invariants();
	});
}

#[test]
fn payout_past_its_deadline_is_cancelled_and_refunded_only_once_proven_dead() {
	new_test_ext().execute_with(|| {
		with_operator();
		let id = request(SUB_TO_EVM, 1_000, "h");
		deposit(id, 1_000, 1);
		let payout = instruction_of(id, StepKind::Payout);
		include(payout, 2);
		let due = transfer(id).payout_deadline.unwrap();
		assert_eq!(due, 1 + PAYOUT_WINDOW);
		run_to_block(due);
		assert!(instruction(payout).cancel_requested);
		// Past the deadline but not proven dead: still paying out, nothing refunded.
		assert_eq!(transfer(id).state, TransferState::PayingOut);
		let nonce = instruction(payout).nonce;
		report_all(Observation::OutboundDead {
			instruction: payout,
			proof: DeadProof::NonceConsumed { nonce, by_tx: sp_core::H256::repeat_byte(9) },
			fee: 0,
		});
		assert_eq!(transfer(id).state, TransferState::Refunding);
		check_invariants();
	});
}

#[test]
fn a_payout_landing_after_its_deadline_still_completes() {
	new_test_ext().execute_with(|| {
		with_operator();
		let id = request(SUB_TO_EVM, 1_000, "i");
		deposit(id, 1_000, 1);
		let payout = instruction_of(id, StepKind::Payout);
		run_to_block(transfer(id).payout_deadline.unwrap() + 1);
		finalize(payout, 2);
		assert_eq!(transfer(id).state, TransferState::Settling);
		// A later "dead" report for the same payout is stale and changes nothing.
		let dead = signed_report(
			0,
			&Observation::OutboundDead {
				instruction: payout,
				proof: DeadProof::NonceConsumed { nonce: 0, by_tx: sp_core::H256::repeat_byte(9) },
				fee: 0,
			},
		);
		assert!(authorize(&dead).is_err());
		check_invariants();
	});
}

#[test]
fn failed_settlement_is_retried_then_parked_for_the_admin() {
	new_test_ext().execute_with(|| {
		with_operator();
		let id = request(SUB_TO_EVM, 1_000, "j");
		deposit(id, 1_000, 1);
		finalize(instruction_of(id, StepKind::Payout), 2);
		for attempt in 1..=MAX_OUTBOUND_ATTEMPTS {
			let settlement = instruction_of(id, StepKind::Settlement);
			assert_eq!(instruction(settlement).attempt, attempt);
			fail(settlement, 10 + attempt);
		}
		let stuck = instruction_of(id, StepKind::Settlement);
		assert_eq!(instruction(stuck).status, OutboundStatus::Stuck);
		// Still owed by the vault, but no longer offered to the workers.
		assert_eq!(ledger(SUBSTRATE).pending_outbound, 1_000);
		assert!(!crate::PendingOutbound::<Test>::contains_key(SUBSTRATE, stuck));
		check_invariants();

		assert_noop!(
			ConnectionChain::retry_instruction(RuntimeOrigin::signed(OPERATOR), stuck),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_ok!(ConnectionChain::retry_instruction(RuntimeOrigin::root(), stuck));
		assert_noop!(
			ConnectionChain::retry_instruction(RuntimeOrigin::root(), stuck),
			Error::<Test>::InstructionNotStuck
		);
		let retried = instruction_of(id, StepKind::Settlement);
		assert_ne!(retried, stuck);
		assert_eq!(ledger(SUBSTRATE).pending_outbound, 1_000);
		finalize(retried, 30);
		assert_eq!(transfer(id).state, TransferState::Completed);
		assert_eq!(transfer(id).trail.len(), 3 + 5);
		check_invariants();
	});
}

/// Transfers `0..count` each way SUB_TO_EVM with deposits of 1_000, 1_001, …, each paid out
/// and the payout final, all in the current block. Returns their ids.
fn paid_out_in_one_block(count: u8) -> Vec<TransferId> {
	let ids: Vec<_> = (0..count)
		.map(|i| request(SUB_TO_EVM, 1_000 + LinkedAmount::from(i), &alloc::format!("s{i}")))
		.collect();
	for (i, &id) in (0u8..).zip(&ids) {
		deposit(id, 1_000 + LinkedAmount::from(i), 10 + i);
	}
	for (i, &id) in (0u8..).zip(&ids) {
		finalize(instruction_of(id, StepKind::Payout), 20 + i);
	}
	ids
}

#[test]
fn deposits_confirmed_in_one_block_settle_in_one_vault_transaction_per_batch() {
	new_test_ext().execute_with(|| {
		with_operator();
		// The mock's batches hold 3 transfers: three in the first, the fourth in a second.
		let ids = paid_out_in_one_block(4);
		let settlements: Vec<_> =
			ids.iter().map(|&id| instruction_of(id, StepKind::Settlement)).collect();
		let (first, second) = (settlements[0], settlements[3]);
		assert_eq!(settlements[..3], [first; 3]);
		assert_ne!(first, second);
		assert_eq!(instruction(first).purpose, OutboundPurpose::Settlement(first));
		assert_eq!(instruction(first).amount, 1_000 + 1_001 + 1_002);
		assert_eq!(instruction(second).amount, 1_003);
		assert_eq!(ledger(SUBSTRATE).pending_outbound, 4_006);
		// Each transfer's step carries its own deposit.
		for (i, &id) in (0u128..).zip(&ids) {
			let step = transfer(id).trail.last().cloned().expect("a settlement step");
			assert_eq!((step.kind, step.amount), (StepKind::Settlement, 1_000 + i));
		}
		check_invariants();

		finalize(first, 30);
		for &id in &ids[..3] {
			let t = transfer(id);
			assert_eq!(t.state, TransferState::Completed);
			let step = t.trail.last().cloned().expect("a settlement step");
			assert_eq!(
				(step.result, step.tx_hash),
				(StepResult::Succeeded, Some(linked_tx(30).hash))
			);
		}
		assert_eq!(transfer(ids[3]).state, TransferState::Settling);
		assert!(!crate::SettlementBatches::<Test>::contains_key(first));
		assert_eq!(ledger(SUBSTRATE).pending_outbound, 1_003);
		check_invariants();
		finalize(second, 31);
		assert_eq!(transfer(ids[3]).state, TransferState::Completed);
		assert_eq!(ledger(SUBSTRATE).pending_outbound, 0);
		check_invariants();
	});
}

#[test]
fn a_transfer_confirmed_in_a_later_block_opens_a_new_settlement() {
	new_test_ext().execute_with(|| {
		with_operator();
		let earlier = paid_out_in_one_block(1)[0];
		let settlement = instruction_of(earlier, StepKind::Settlement);
		// The workers may already have sent the earlier block's settlement: it never grows.
		run_to_block(System::block_number() + 1);
		let later = request(SUB_TO_EVM, 2_000, "later");
		deposit(later, 2_000, 40);
		finalize(instruction_of(later, StepKind::Payout), 41);
		assert_ne!(instruction_of(later, StepKind::Settlement), settlement);
		assert_eq!(instruction(settlement).amount, 1_000);
		check_invariants();
	});
}

#[test]
fn a_failed_settlement_is_retried_for_every_transfer_it_carries() {
	new_test_ext().execute_with(|| {
		with_operator();
		let ids = paid_out_in_one_block(2);
		let failed = instruction_of(ids[0], StepKind::Settlement);
		fail(failed, 30);
		let retried = instruction_of(ids[0], StepKind::Settlement);
		assert_ne!(retried, failed);
		assert_eq!(instruction_of(ids[1], StepKind::Settlement), retried);
		// The batch keeps its name, and the retry owes the same sum.
		assert_eq!(instruction(retried).purpose, OutboundPurpose::Settlement(failed));
		assert_eq!(instruction(retried).amount, 2_001);
		assert_eq!(ledger(SUBSTRATE).pending_outbound, 2_001);
		for (i, &id) in (0u128..).zip(&ids) {
			let settlement_steps: Vec<_> = transfer(id)
				.trail
				.into_iter()
				.filter(|step| step.kind == StepKind::Settlement)
				.map(|step| (step.instruction, step.amount, step.result))
				.collect();
			assert_eq!(
				settlement_steps,
				[
					(Some(failed), 1_000 + i, StepResult::Failed(FailureReason::Reverted)),
					(Some(retried), 1_000 + i, StepResult::Pending),
				]
			);
		}
		check_invariants();
		finalize(retried, 31);
		for &id in &ids {
			assert_eq!(transfer(id).state, TransferState::Completed);
		}
		check_invariants();
	});
}

#[test]
fn requester_can_cancel_only_before_the_deposit() {
	new_test_ext().execute_with(|| {
		with_operator();
		let id = request(SUB_TO_EVM, 1_000, "k");
		assert_noop!(
			ConnectionChain::cancel_transfer(RuntimeOrigin::signed(OTHER), id),
			Error::<Test>::NotRequester
		);
		assert_noop!(
			ConnectionChain::cancel_transfer(RuntimeOrigin::signed(REQUESTER), 99),
			Error::<Test>::UnknownTransfer
		);
		assert_ok!(ConnectionChain::cancel_transfer(RuntimeOrigin::signed(REQUESTER), id));
		assert_eq!(transfer(id).state, TransferState::Cancelled);
		assert_eq!(liquidity(EVM).free, LIQUIDITY);
		assert_noop!(
			ConnectionChain::cancel_transfer(RuntimeOrigin::signed(REQUESTER), id),
			Error::<Test>::InvalidTransferState
		);
		let held = request(SUB_TO_EVM, 1_000, "l");
		deposit(held, 1_000, 1);
		assert_noop!(
			ConnectionChain::cancel_transfer(RuntimeOrigin::signed(REQUESTER), held),
			Error::<Test>::InvalidTransferState
		);
		// The cancelled transfer's deadline later finds nothing to do.
		run_to_block(1 + DEPOSIT_WINDOW);
		assert_eq!(transfer(id).state, TransferState::Cancelled);
		check_invariants();
	});
}

#[test]
fn deadlines_beyond_the_per_block_budget_wait_for_the_next_block() {
	new_test_ext().execute_with(|| {
		MaxDeadlines::set(4);
		with_operator();
		// Four transfers requested in one block share one deadline block (its queue holds 4).
		let ids: Vec<_> = (0..6).map(|n| request(SUB_TO_EVM, 100, &format!("m{n}"))).collect();
		let deadlines: Vec<_> = ids.iter().map(|id| transfer(*id).deposit_deadline).collect();
		assert_eq!(&deadlines[..4], &[21; 4]);
		assert_eq!(&deadlines[4..], &[22, 22], "a full queue pushes the deadline one block on");
		let expired = |ids: &[TransferId]| {
			ids.iter().filter(|id| transfer(**id).state == TransferState::Expired).count()
		};
		// The budget of 4 counts each queue read too: three expire at block 21, the fourth
		// and one of block 22's at block 22, the last at block 23.
		run_to_block(21);
		assert_eq!(expired(&ids), 3);
		run_to_block(22);
		assert_eq!(expired(&ids), 5);
		run_to_block(23);
		assert_eq!(expired(&ids), 6);
		check_invariants();
	});
}

#[test]
fn a_request_is_refused_when_no_deadline_slot_is_left() {
	new_test_ext().execute_with(|| {
		// One deadline per block, and a deadline may slip 64 blocks: 65 requests in one block
		// fill every slot; the 66th is refused and leaves no trace.
		MaxDeadlines::set(1);
		with_operator();
		for n in 0..65 {
			request(SUB_TO_EVM, 100, &format!("s{n}"));
		}
		assert_noop!(try_request(SUB_TO_EVM, 100, "s65"), Error::<Test>::DeadlineQueueFull);
		check_invariants();
	});
}

#[test]
fn retrying_an_unknown_instruction_is_refused() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ConnectionChain::retry_instruction(RuntimeOrigin::root(), 999),
			Error::<Test>::UnknownInstruction
		);
	});
}

#[test]
fn a_deposit_whose_payout_deadline_has_no_slot_is_returned_and_the_transfer_still_waits() {
	new_test_ext().execute_with(|| {
		with_operator();
		let id = request(SUB_TO_EVM, 1_000, "r");
		// Fill every queue the payout deadline of a deposit counted at block 1 could use.
		let due = 1 + PAYOUT_WINDOW;
		let most = <Test as crate::Config>::MaxDeadlinesPerBlock::get();
		for at in due..=due + 64 {
			for transfer in 0..most {
				assert_ok!(ConnectionChain::schedule_deadline(at, 1_000 + u64::from(transfer)));
			}
		}
		deposit(id, 1_000, 1);
		assert!(events().iter().any(|e| matches!(
			e,
			crate::Event::DepositRejected {
				reason: DepositRejection::TransferRefused(error), amount: 1_000, ..
			} if *error == Error::<Test>::DeadlineQueueFull.into()
		)));
		let t = transfer(id);
		assert_eq!(
			(t.state, t.hold, t.payout_deadline),
			(TransferState::AwaitingDeposit, HoldState::AwaitingDeposit, None)
		);
		assert_eq!(ledger(SUBSTRATE).held, 0);
		assert_eq!(liquidity(EVM).reserved, 1_960);
		assert_eq!(trail_kinds(id), vec![(StepKind::Request, StepResult::Succeeded)]);
		check_invariants();
	});
}

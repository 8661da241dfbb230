//! The vaults' side of the ledger: the nonce each instruction is bound to, the fees the vaults
//! pay on their chains, and the vault state the workers report.

use super::*;
use crate::{Event, NextVaultNonce, OperatorLiquidity};

fn vault_state(
	chain: ChainId,
	number: u64,
	balance: LinkedAmount,
	nonce: u64,
) -> Observation<AccountId> {
	Observation::VaultState {
		chain,
		snapshot: VaultSnapshot {
			balance,
			nonce,
			at: LinkedBlock { number, hash: sp_core::H256::repeat_byte(number as u8) },
		},
	}
}

#[test]
fn each_instruction_gets_the_next_nonce_of_its_chain_and_a_retry_gets_a_new_one() {
	new_test_ext().execute_with(|| {
		with_operator();
		let a = request(SUB_TO_EVM, 1_000, "a");
		let b = request(EVM_TO_SUB, 1_000, "b");
		let c = request(SUB_TO_EVM, 2_000, "c");
		deposit(a, 1_000, 1);
		deposit(b, 1_000, 2);
		deposit(c, 2_000, 3);
		// Payouts of a and c are the EVM vault's nonces 0 and 1; b's is the Substrate vault's 0.
		let nonce = |id, kind| instruction(instruction_of(id, kind)).nonce;
		assert_eq!(
			(nonce(a, StepKind::Payout), nonce(b, StepKind::Payout), nonce(c, StepKind::Payout)),
			(0, 0, 1)
		);
		finalize(instruction_of(a, StepKind::Payout), 4);
		let settlement = instruction_of(a, StepKind::Settlement);
		assert_eq!(instruction(settlement).nonce, 1);
		fail(settlement, 5);
		// The failed settlement took nonce 1 on the chain; the retry is bound to nonce 2.
		let retry = instruction_of(a, StepKind::Settlement);
		assert_ne!(retry, settlement);
		assert_eq!(instruction(retry).nonce, 2);
		assert_eq!(NextVaultNonce::<Test>::get(SUBSTRATE), 3);
		check_invariants();
	});
}

#[test]
fn a_vault_nonce_taken_outside_the_connection_chain_is_never_assigned() {
	new_test_ext().execute_with(|| {
		with_operator();
		report_all(vault_state(EVM, 7, LIQUIDITY, 5));
		assert_eq!(NextVaultNonce::<Test>::get(EVM), 5);
		let id = request(SUB_TO_EVM, 1_000, "a");
		deposit(id, 1_000, 1);
		assert_eq!(instruction(instruction_of(id, StepKind::Payout)).nonce, 5);
		// An older, lower reading never moves the counter back.
		report_all(vault_state(EVM, 8, LIQUIDITY, 2));
		assert_eq!(NextVaultNonce::<Test>::get(EVM), 6);
		check_invariants();
	});
}

#[test]
fn vault_fees_come_out_of_the_operators_free_liquidity() {
	new_test_ext().execute_with(|| {
		with_operator();
		let id = request(SUB_TO_EVM, 1_000, "a");
		deposit(id, 1_000, 1);
		let payout = instruction_of(id, StepKind::Payout);
		let free_before = liquidity(EVM).free;
		let expected_before = ledger(EVM).expected_vault_balance().unwrap();
		report_all(Observation::OutboundFinal { instruction: payout, tx: linked_tx(2), fee: 21 });
		assert_eq!(liquidity(EVM).free, free_before - 21);
		assert_eq!(liquidity(EVM).total_fees, 21);
		// The vault sent 1_960 and paid 21 in gas: the ledger follows it exactly.
		assert_eq!(ledger(EVM).expected_vault_balance().unwrap(), expected_before - 1_960 - 21);
		assert!(events().contains(&Event::VaultFeePaid {
			chain: EVM,
			instruction: payout,
			fee: 21,
			operator: Some(OPERATOR),
			unpaid: 0,
		}));
		check_invariants();
	});
}

#[test]
fn a_fee_no_liquidity_covers_is_recorded_as_unpaid() {
	new_test_ext().execute_with(|| {
		with_operator();
		let id = request(SUB_TO_EVM, 1_000, "a");
		deposit(id, 1_000, 1);
		let payout = instruction_of(id, StepKind::Payout);
		// The operator has nothing free left on the EVM chain.
		OperatorLiquidity::<Test>::mutate(OPERATOR, EVM, |l| l.free = 0);
		crate::VaultLedgers::<Test>::mutate(EVM, |l| l.operator_liquidity = 0);
		report_all(Observation::OutboundFinal { instruction: payout, tx: linked_tx(2), fee: 21 });
		assert_eq!(ledger(EVM).unpaid_fees, 21);
		assert!(events().contains(&Event::VaultFeePaid {
			chain: EVM,
			instruction: payout,
			fee: 21,
			operator: Some(OPERATOR),
			unpaid: 21,
		}));
		// A stray deposit's return has no operator: its fee is unpaid too.
		report_all(Observation::Deposit {
			chain: SUBSTRATE,
			tx: linked_tx(9),
			from: LinkedAccount::Substrate(SENDER_SUB),
			amount: 500,
			reference: DepositReference::Unknown,
		});
		let back = crate::NextInstructionId::<Test>::get() - 1;
		report_all(Observation::OutboundFinal { instruction: back, tx: linked_tx(10), fee: 4 });
		assert_eq!(ledger(SUBSTRATE).unpaid_fees, 4);
	});
}

#[test]
fn a_vault_unable_to_pay_fees_raises_an_event_and_the_instruction_stays_open() {
	new_test_ext().execute_with(|| {
		with_operator();
		let id = request(SUB_TO_EVM, 1_000, "a");
		deposit(id, 1_000, 1);
		let payout = instruction_of(id, StepKind::Payout);
		report_all(Observation::VaultCannotPayFees { instruction: payout });
		assert!(events().contains(&Event::VaultCannotPayFees { chain: EVM, instruction: payout }));
		assert_eq!(instruction(payout).status, OutboundStatus::Pending);
		finalize(payout, 2);
		// Once the instruction is done, the report is stale.
		let late = signed_report(0, &Observation::VaultCannotPayFees { instruction: payout });
		assert!(authorize(&late).is_err());
		check_invariants();
	});
}

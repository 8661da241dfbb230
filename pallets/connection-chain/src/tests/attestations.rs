//! Attestations: who may report, what a report needs to be admitted, thresholds and
//! conflicting reports.

use super::*;
use crate::{Event, SubjectReports, VoteCount};
use sp_runtime::transaction_validity::{InvalidTransaction, TransactionValidityError};

fn liquidity_deposit(tx: u8, amount: LinkedAmount) -> Observation<AccountId> {
	Observation::Deposit {
		chain: EVM,
		tx: linked_tx(tx),
		from: LinkedAccount::Evm(OPERATOR_EVM),
		amount,
		reference: DepositReference::Liquidity(OPERATOR),
	}
}

fn invalid(reason: InvalidTransaction) -> Result<(), TransactionValidityError> {
	Err(TransactionValidityError::Invalid(reason))
}

#[test]
fn only_a_correctly_signed_report_of_an_authority_is_admitted() {
	new_test_ext().execute_with(|| {
		assert_ok!(ConnectionChain::register_operator(RuntimeOrigin::signed(OPERATOR)));
		let observation = liquidity_deposit(1, 100);
		// Authority index 7 does not exist.
		let unknown = signed_report(7, &observation);
		assert_eq!(authorize(&unknown).map(|_| ()), invalid(InvalidTransaction::BadSigner));
		// Authority 1's signature presented as authority 0's.
		let crate::Call::report { observations, signature, .. } = signed_report(1, &observation)
		else {
			unreachable!()
		};
		let forged = crate::Call::<Test>::report { observations, authority: 0, signature };
		assert_eq!(authorize(&forged).map(|_| ()), invalid(InvalidTransaction::BadProof));
		// A report signed for another chain (another genesis hash) does not verify here.
		let key = sp_runtime::testing::UintAuthorityId(1);
		let payload = crate::linked::signing_payload(
			&sp_core::H256::repeat_byte(1),
			0,
			core::slice::from_ref(&observation),
		);
		let other_chain = crate::Call::<Test>::report {
			observations: vec![observation.clone()].try_into().unwrap(),
			authority: 0,
			signature: sp_runtime::RuntimeAppPublic::sign(&key, &payload).unwrap(),
		};
		assert_eq!(authorize(&other_chain).map(|_| ()), invalid(InvalidTransaction::BadProof));
		// Dispatching without the authorized origin fails whatever the signer.
		let crate::Call::report { observations, authority, signature } =
			signed_report(0, &observation)
		else {
			unreachable!()
		};
		assert_noop!(
			ConnectionChain::report(
				RuntimeOrigin::signed(OPERATOR),
				observations,
				authority,
				signature
			),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_eq!(liquidity(EVM).free, 0);
	});
}

#[test]
fn one_report_carries_several_observations_and_is_charged_for_what_they_did() {
	new_test_ext().execute_with(|| {
		assert_ok!(ConnectionChain::register_operator(RuntimeOrigin::signed(OPERATOR)));
		let first = liquidity_deposit(1, 100);
		let second = liquidity_deposit(2, 50);
		let unknown_instruction =
			Observation::OutboundFinal { instruction: 42, tx: linked_tx(3), fee: 0 };
		let observations = [first.clone(), unknown_instruction.clone(), second.clone()];
		// The signature covers the list in its order.
		let crate::Call::report { signature, .. } = signed_report_of(0, &observations) else {
			unreachable!()
		};
		let reordered = crate::Call::<Test>::report {
			observations: vec![second.clone(), unknown_instruction.clone(), first.clone()]
				.try_into()
				.unwrap(),
			authority: 0,
			signature,
		};
		assert_eq!(authorize(&reordered).map(|_| ()), invalid(InvalidTransaction::BadProof));
		// Admitted for the two observations that await this authority's vote, one tag each.
		let report = signed_report_of(0, &observations);
		let (validity, _) = authorize(&report).unwrap();
		assert_eq!(validity.provides.len(), 2);
		let charged = dispatch_report(report);
		assert_eq!(liquidity(EVM).free, 150, "both deposits counted");
		let hash = crate::linked::observation_hash;
		assert!(events()
			.contains(&Event::ObservationObsolete { observation: hash(&unknown_instruction) }));
		// Threshold one: no vote is stored, so the charge is the benchmarks' of two deposits
		// and one outcome, well below the advance charge of three of the heaviest kind.
		use crate::weights::WeightInfo;
		assert_eq!(
			charged,
			<() as WeightInfo>::report_deposits(2) + <() as WeightInfo>::report_outcomes(1)
		);
		assert!(charged.ref_time() < crate::attestation::report_weight::<Test>(3).ref_time());
		assert_eq!(crate::Votes::<Test>::iter().count(), 0);
		assert_eq!(VoteCount::<Test>::iter().count(), 0);
		assert_eq!(SubjectReports::<Test>::iter().count(), 0);
		// A report of nothing that awaits a vote is not admitted.
		assert_eq!(
			authorize(&signed_report_of(0, &[first, second])).map(|_| ()),
			invalid(InvalidTransaction::Stale)
		);
		assert_eq!(
			authorize(&signed_report_of(0, &[])).map(|_| ()),
			invalid(InvalidTransaction::Stale)
		);
		check_invariants();
	});
}

#[test]
fn votes_below_the_threshold_are_stored_and_charged_and_the_deciding_vote_clears_them() {
	ext_with_threshold(3).execute_with(|| {
		assert_ok!(ConnectionChain::register_operator(RuntimeOrigin::signed(OPERATOR)));
		let observation = liquidity_deposit(1, 100);
		let hash = crate::linked::observation_hash(&observation);
		let db = <Test as frame_system::Config>::DbWeight::get();
		use crate::weights::WeightInfo;
		let deposit = <() as WeightInfo>::report_deposits(1);
		// Each vote below the threshold: its vote, the count and (first) the version.
		assert_eq!(dispatch_report(signed_report(0, &observation)), deposit + db.writes(3));
		assert_eq!(dispatch_report(signed_report(1, &observation)), deposit + db.writes(2));
		assert_eq!(VoteCount::<Test>::get(hash), 2);
		assert_eq!(liquidity(EVM).free, 0);
		// The deciding vote: two votes cleared, the count and the version removed.
		assert_eq!(dispatch_report(signed_report(2, &observation)), deposit + db.writes(4));
		assert_eq!(liquidity(EVM).free, 100);
		assert_eq!(crate::Votes::<Test>::iter_prefix(hash).count(), 0);
		assert_eq!(VoteCount::<Test>::get(hash), 0);
		assert_eq!(SubjectReports::<Test>::iter().count(), 0);
		check_invariants();
	});
}

#[test]
fn an_observation_needs_the_threshold_of_distinct_authorities() {
	ext_with_threshold(2).execute_with(|| {
		assert_ok!(ConnectionChain::register_operator(RuntimeOrigin::signed(OPERATOR)));
		let observation = liquidity_deposit(1, 100);
		report_as(0, observation.clone());
		assert_eq!(liquidity(EVM).free, 0, "one report of two changes nothing");
		// The same authority cannot vote twice.
		let again = signed_report(0, &observation);
		assert_eq!(authorize(&again).map(|_| ()), invalid(InvalidTransaction::Stale));
		report_as(2, observation.clone());
		assert_eq!(liquidity(EVM).free, 100);
		assert_eq!(VoteCount::<Test>::get(crate::linked::observation_hash(&observation)), 0);
		// Once applied, further reports are stale.
		assert_eq!(
			authorize(&signed_report(1, &observation)).map(|_| ()),
			invalid(InvalidTransaction::Stale)
		);
		check_invariants();
	});
}

#[test]
fn a_false_report_of_one_authority_changes_nothing_and_is_kept_as_evidence() {
	ext_with_threshold(2).execute_with(|| {
		with_operator();
		let id = request(SUB_TO_EVM, 1_000, "t");
		deposit(id, 1_000, 1);
		let payout = instruction_of(id, StepKind::Payout);
		// Authority 2 lies that the payout failed; 0 and 1 see it final.
		let lie = Observation::OutboundFailed {
			instruction: payout,
			tx: linked_tx(2),
			reason: FailureReason::Reverted,
			fee: 0,
		};
		report_as(2, lie);
		assert_eq!(transfer(id).state, TransferState::PayingOut);
		let truth = Observation::OutboundFinal { instruction: payout, tx: linked_tx(2), fee: 0 };
		report_as(0, truth.clone());
		assert!(events()
			.iter()
			.any(|e| matches!(e, Event::ConflictingReports { observations: 2, .. })));
		report_as(1, truth);
		assert_eq!(transfer(id).state, TransferState::Settling);
		// Both versions stay on record.
		assert_eq!(SubjectReports::<Test>::get(ObservationSubject::Outcome(payout)).len(), 2);
		check_invariants();
	});
}

#[test]
fn reports_about_finished_instructions_or_old_balances_are_stale() {
	new_test_ext().execute_with(|| {
		let balance = |number, amount| Observation::VaultState {
			chain: EVM,
			snapshot: VaultSnapshot {
				balance: amount,
				nonce: 0,
				at: LinkedBlock { number, hash: sp_core::H256::repeat_byte(number as u8) },
			},
		};
		report_all(balance(10, 5));
		assert!(events().contains(&Event::VaultStateObserved {
			chain: EVM,
			balance: 5,
			expected: 0,
			nonce: 0,
		}));
		assert_eq!(
			authorize(&signed_report(0, &balance(10, 6))).map(|_| ()),
			invalid(InvalidTransaction::Stale)
		);
		assert_eq!(
			authorize(&signed_report(0, &balance(9, 6))).map(|_| ()),
			invalid(InvalidTransaction::Stale)
		);
		report_all(balance(11, 6));
		let unknown_instruction =
			Observation::OutboundFinal { instruction: 42, tx: linked_tx(1), fee: 0 };
		assert_eq!(
			authorize(&signed_report(0, &unknown_instruction)).map(|_| ()),
			invalid(InvalidTransaction::Stale)
		);
		let unknown_chain = Observation::VaultState {
			chain: 9,
			snapshot: VaultSnapshot {
				balance: 1,
				nonce: 0,
				at: LinkedBlock { number: 1, hash: Default::default() },
			},
		};
		assert_eq!(
			authorize(&signed_report(0, &unknown_chain)).map(|_| ()),
			invalid(InvalidTransaction::Stale)
		);
	});
}

#[test]
fn a_deposit_with_no_reference_is_returned() {
	new_test_ext().execute_with(|| {
		report_all(Observation::Deposit {
			chain: SUBSTRATE,
			tx: linked_tx(1),
			from: LinkedAccount::Substrate([3; 32]),
			amount: 5,
			reference: DepositReference::Unknown,
		});
		let returned = crate::PendingOutbound::<Test>::iter_key_prefix(SUBSTRATE).next().unwrap();
		assert_eq!(instruction(returned).recipient, LinkedAccount::Substrate([3; 32]));
		// A deposit whose sender is not an account of the chain's kind is ignored.
		let call = signed_report(
			0,
			&Observation::Deposit {
				chain: SUBSTRATE,
				tx: linked_tx(2),
				from: LinkedAccount::Evm([3; 20]),
				amount: 5,
				reference: DepositReference::Unknown,
			},
		);
		dispatch_report(call);
		assert_eq!(crate::PendingOutbound::<Test>::iter_key_prefix(SUBSTRATE).count(), 1);
		check_invariants();
	});
}

/// The hash encoded on the stack is the hash of the observation's encoding, for the longest
/// observation and for one whose account is too long for the stack buffer.
#[test]
fn an_observation_hash_is_the_hash_of_its_encoding() {
	use codec::Encode;
	use sp_io::hashing::blake2_256;
	let new_transfer = Observation::<AccountId>::Deposit {
		chain: SUBSTRATE,
		tx: linked_tx(3),
		from: LinkedAccount::Substrate([7; 32]),
		amount: u128::MAX,
		reference: DepositReference::NewTransfer {
			rule: u32::MAX,
			recipient: LinkedAccount::Substrate([8; 32]),
			min_received: u128::MAX,
		},
	};
	let outcome =
		Observation::<AccountId>::OutboundFinal { instruction: 9, tx: linked_tx(4), fee: 21 };
	for observation in [new_transfer, outcome, liquidity_deposit(5, 100)] {
		let hash = crate::linked::observation_hash(&observation);
		assert_eq!(hash.0, blake2_256(&observation.encode()));
	}
	let long_account = Observation::<[u8; 300]>::Deposit {
		chain: EVM,
		tx: linked_tx(6),
		from: LinkedAccount::Evm(OPERATOR_EVM),
		amount: 1,
		reference: DepositReference::Liquidity([1; 300]),
	};
	assert!(long_account.encode().len() > 256);
	assert_eq!(
		crate::linked::observation_hash(&long_account).0,
		blake2_256(&long_account.encode())
	);
}

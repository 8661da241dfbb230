//! The custody of the vaults: an EVM vault contract's signer set, the batches a block's
//! instructions form under one nonce, and the approvals that count only when they recover to
//! the approving authority's own signer; a Substrate multisig vault's signer set, which must
//! control the vault, and the one opening of each batch its signers approve.

use super::*;
use crate::{
	linked::{SubstrateRuntimeCodec, VaultBatchCall},
	mock::UnreadableSubstrateChain,
	vault_contract::batch_digest,
	Approvals, Chains, Event, MultisigOpenings, VaultBatches, VaultCustodies,
};
use frame_support::{crypto::ecdsa::ECDSAExt, BoundedVec};
use sp_core::{ecdsa, Pair};
use sp_runtime::DispatchError::BadOrigin;

const EVM_CHAIN_ID: u64 = 31337;

/// The signer key of authority `index`: no other authority has it.
fn signer(index: u32) -> ecdsa::Pair {
	ecdsa::Pair::from_seed(&[index as u8 + 1; 32])
}

fn address(index: u32) -> [u8; 20] {
	signer(index).public().to_eth_address().unwrap()
}

fn custody(signers: Vec<[u8; 20]>, threshold: u32) -> VaultCustody {
	VaultCustody::Contract(ContractCustody {
		evm_chain_id: EVM_CHAIN_ID,
		signers: BoundedVec::truncate_from(signers),
		threshold,
	})
}

fn set_custody(custody: VaultCustody) -> sp_runtime::DispatchResult {
	ConnectionChain::set_vault_custody(RuntimeOrigin::root(), EVM, custody)
}

/// The three authorities' signers, two of them needed.
fn with_custody() {
	assert_ok!(set_custody(custody((0..3).map(address).collect(), 2)));
}

/// Authority `signed_by`'s approval of the batch `nonce` (its payments, or the empty batch).
fn approval(signed_by: u32, nonce: u64, takes_nonce_only: bool) -> Observation<AccountId> {
	let payments = if takes_nonce_only {
		Vec::new()
	} else {
		ConnectionChain::batch_payments(EVM, nonce).expect("an open batch")
	};
	let digest = batch_digest(EVM_CHAIN_ID, &EVM_VAULT, nonce, &payments);
	let signature = signer(signed_by).sign_prehashed(&digest).0;
	Observation::BatchApproval { chain: EVM, nonce, takes_nonce_only, signature }
}

fn approvals(nonce: u64, takes_nonce_only: bool) -> Vec<u32> {
	Approvals::<Test>::get((EVM, nonce, takes_nonce_only))
		.signatures
		.iter()
		.map(|(authority, _)| *authority)
		.collect()
}

#[test]
fn a_signer_set_the_contract_would_refuse_is_refused() {
	new_test_ext().execute_with(|| {
		let three = || (0..3).map(address).collect::<Vec<_>>();
		assert_noop!(
			ConnectionChain::set_vault_custody(
				RuntimeOrigin::signed(OTHER),
				EVM,
				custody(three(), 2)
			),
			BadOrigin
		);
		assert_noop!(
			ConnectionChain::set_vault_custody(
				RuntimeOrigin::root(),
				SUBSTRATE,
				custody(three(), 2)
			),
			Error::<Test>::BadCustody
		);
		assert_noop!(
			ConnectionChain::set_vault_custody(RuntimeOrigin::root(), 9, custody(three(), 2)),
			Error::<Test>::UnknownChain
		);
		// Not a majority; more than the set; a signer twice; a zero signer; not one per authority.
		for bad in [
			custody(three(), 1),
			custody(three(), 4),
			custody(vec![address(0), address(0), address(1)], 2),
			custody(vec![address(0), [0; 20], address(1)], 2),
			custody(vec![address(0), address(1)], 2),
		] {
			assert_noop!(set_custody(bad), Error::<Test>::BadCustody);
		}
		with_custody();
		assert!(events().contains(&Event::VaultCustodySet {
			chain: EVM,
			signers: 3,
			threshold: 2
		}));
		check_invariants();
	});
}

#[test]
fn the_payouts_of_one_block_are_one_batch_and_the_next_blocks_the_next() {
	new_test_ext().execute_with(|| {
		with_operator();
		with_custody();
		let (a, b, c) = (
			request(SUB_TO_EVM, 1_000, "a"),
			request(SUB_TO_EVM, 2_000, "b"),
			request(SUB_TO_EVM, 3_000, "c"),
		);
		deposit(a, 1_000, 1);
		deposit(b, 2_000, 2);
		run_to_block(System::block_number() + 1);
		deposit(c, 3_000, 3);
		let payout = |id| instruction_of(id, StepKind::Payout);
		let nonce = |id| instruction(payout(id)).nonce;
		assert_eq!((nonce(a), nonce(b), nonce(c)), (0, 0, 1));
		assert_eq!(VaultBatches::<Test>::get(EVM, 0).to_vec(), vec![payout(a), payout(b)]);
		let paid: Vec<_> = ConnectionChain::batch_payments(EVM, 0)
			.unwrap()
			.iter()
			.map(|payment| (payment.to, payment.amount))
			.collect();
		assert_eq!(
			paid,
			vec![
				(RECIPIENT_EVM, instruction(payout(a)).amount),
				(RECIPIENT_EVM, instruction(payout(b)).amount)
			]
		);
		// The Substrate vault, an account, still takes a nonce per instruction.
		assert!(VaultBatches::<Test>::iter_prefix(SUBSTRATE).next().is_none());
		check_invariants();
	});
}

#[test]
fn an_approval_counts_only_when_signed_by_the_reporting_authoritys_own_signer() {
	ext_with_threshold(2).execute_with(|| {
		with_operator();
		with_custody();
		let id = request(SUB_TO_EVM, 1_000, "a");
		deposit(id, 1_000, 1);
		// Authority 1 reports authority 0's signature: not its own, not counted.
		report_as(1, approval(0, 0, false));
		assert!(approvals(0, false).is_empty());
		assert!(events().contains(&Event::ApprovalRefused { chain: EVM, nonce: 0, authority: 1 }));
		// A signature of other payments (the empty batch) offered as the payments' approval.
		let Observation::BatchApproval { signature, .. } = approval(0, 0, true) else {
			unreachable!()
		};
		report_as(
			0,
			Observation::BatchApproval { chain: EVM, nonce: 0, takes_nonce_only: false, signature },
		);
		assert!(approvals(0, false).is_empty());
		// Its own: counted, once; the threshold is reached with a second authority's.
		report_as(0, approval(0, 0, false));
		assert_eq!(approvals(0, false), vec![0]);
		assert!(authorize(&signed_report(0, &approval(0, 0, false))).is_err(), "approved already");
		assert_eq!(Approvals::<Test>::get((EVM, 0, false)).complete_at, None);
		report_as(2, approval(2, 0, false));
		assert_eq!(approvals(0, false), vec![0, 2]);
		assert_eq!(
			Approvals::<Test>::get((EVM, 0, false)).complete_at,
			Some(System::block_number())
		);
		// The empty batch is approved apart.
		report_as(1, approval(1, 0, true));
		assert_eq!(approvals(0, true), vec![1]);
		check_invariants();
	});
}

#[test]
fn a_batch_paid_is_closed_and_approved_no_more() {
	new_test_ext().execute_with(|| {
		with_operator();
		with_custody();
		let id = request(SUB_TO_EVM, 1_000, "a");
		deposit(id, 1_000, 1);
		report_as(0, approval(0, 0, false));
		report_as(1, approval(1, 0, false));
		finalize(instruction_of(id, StepKind::Payout), 2);
		assert!(!VaultBatches::<Test>::contains_key(EVM, 0));
		assert!(approvals(0, false).is_empty());
		assert!(ConnectionChain::batch_payments(EVM, 0).is_none());
		assert!(!ConnectionChain::approval_awaited(EVM, 0, false, 2));
		assert_eq!(transfer(id).state, TransferState::Settling);
		assert!(VaultCustodies::<Test>::contains_key(EVM));
		check_invariants();
	});
}

/// The three authorities' accounts on the Substrate chain.
const LEDGER_SIGNERS: [[u8; 32]; 3] = [[1; 32], [2; 32], [3; 32]];

fn multisig(signers: &[[u8; 32]], threshold: u16) -> VaultCustody {
	VaultCustody::Multisig(MultisigCustody {
		signers: BoundedVec::truncate_from(signers.to_vec()),
		threshold,
	})
}

/// Makes the Substrate vault the 2-of-3 multisig account of the authorities' accounts.
fn with_multisig_vault() {
	let account = UnreadableSubstrateChain::multisig_account(&LEDGER_SIGNERS, 2);
	Chains::<Test>::mutate(SUBSTRATE, |chain| {
		chain.as_mut().unwrap().vault = LinkedAccount::Substrate(account)
	});
	assert_ok!(ConnectionChain::set_vault_custody(
		RuntimeOrigin::root(),
		SUBSTRATE,
		multisig(&LEDGER_SIGNERS, 2)
	));
}

/// The opening of batch 0 at `height`, of its own call (or, once the batch closed, of none).
fn opened_at(height: u64) -> Observation<AccountId> {
	opening_of(height, ConnectionChain::batch_call(SUBSTRATE, 0, false))
}

fn opening_of(height: u64, call: Option<VaultBatchCall>) -> Observation<AccountId> {
	let opening = MultisigOpening {
		takes_nonce_only: call.as_ref().is_some_and(|call| call.payments.is_empty()),
		call_hash: call.map_or([0; 32], |call| UnreadableSubstrateChain::batch_call_hash(&call)),
		height,
		index: 1,
	};
	Observation::MultisigOpened { chain: SUBSTRATE, nonce: 0, opening }
}

#[test]
fn a_multisig_custody_must_control_the_vault() {
	new_test_ext().execute_with(|| {
		// The registered vault is not the signers' multisig account.
		assert_noop!(
			ConnectionChain::set_vault_custody(
				RuntimeOrigin::root(),
				SUBSTRATE,
				multisig(&LEDGER_SIGNERS, 2)
			),
			Error::<Test>::BadCustody
		);
		// A multisig is no vault for an EVM chain.
		assert_noop!(
			ConnectionChain::set_vault_custody(
				RuntimeOrigin::root(),
				EVM,
				multisig(&LEDGER_SIGNERS, 2)
			),
			Error::<Test>::BadCustody
		);
		// Not a majority, a signer twice, not one per authority: refused, whatever the vault.
		for (signers, threshold) in [
			(LEDGER_SIGNERS.to_vec(), 1),
			(vec![[1; 32], [1; 32], [3; 32]], 2),
			(LEDGER_SIGNERS[..2].to_vec(), 2),
		] {
			let account = UnreadableSubstrateChain::multisig_account(&signers, threshold);
			Chains::<Test>::mutate(SUBSTRATE, |chain| {
				chain.as_mut().unwrap().vault = LinkedAccount::Substrate(account)
			});
			assert_noop!(
				ConnectionChain::set_vault_custody(
					RuntimeOrigin::root(),
					SUBSTRATE,
					multisig(&signers, threshold)
				),
				Error::<Test>::BadCustody
			);
		}
		with_multisig_vault();
		assert!(events().contains(&Event::VaultCustodySet {
			chain: SUBSTRATE,
			signers: 3,
			threshold: 2
		}));
		check_invariants();
	});
}

#[test]
fn a_multisig_batch_is_one_call_opened_once_and_closed_with_its_payout() {
	ext_with_threshold(2).execute_with(|| {
		with_operator();
		with_multisig_vault();
		let (a, b) = (request(EVM_TO_SUB, 1_000, "a"), request(EVM_TO_SUB, 2_000, "b"));
		deposit(a, 1_000, 1);
		deposit(b, 2_000, 2);
		let payout = |id| instruction_of(id, StepKind::Payout);
		assert_eq!(VaultBatches::<Test>::get(SUBSTRATE, 0).to_vec(), vec![payout(a), payout(b)]);
		assert_eq!(
			ConnectionChain::batch_call(SUBSTRATE, 0, false),
			Some(VaultBatchCall {
				nonce: 0,
				payments: vec![
					(RECIPIENT_SUB, instruction(payout(a)).amount),
					(RECIPIENT_SUB, instruction(payout(b)).amount)
				],
			})
		);
		assert_eq!(
			ConnectionChain::batch_call(SUBSTRATE, 0, true),
			Some(VaultBatchCall { nonce: 0, payments: vec![] })
		);

		// A signer opening another call under the batch's nonce (paying itself), or the call
		// that pays nothing while nobody asked to cancel: attested, but not recorded, so that
		// no signer alone blocks the batch or has it refunded.
		let theft = VaultBatchCall { nonce: 0, payments: vec![([3; 32], 3_000)] };
		let empty = VaultBatchCall { nonce: 0, payments: vec![] };
		for call in [theft, empty] {
			report_as(0, opening_of(4, Some(call.clone())));
			report_as(1, opening_of(4, Some(call)));
			assert_eq!(MultisigOpenings::<Test>::get(SUBSTRATE, 0), None);
		}

		// One authority's word is not enough; two agree and the opening is recorded.
		report_as(0, opened_at(5));
		assert_eq!(MultisigOpenings::<Test>::get(SUBSTRATE, 0), None);
		report_as(1, opened_at(5));
		let call_hash = UnreadableSubstrateChain::batch_call_hash(
			&ConnectionChain::batch_call(SUBSTRATE, 0, false).unwrap(),
		);
		let recorded = MultisigOpening { takes_nonce_only: false, call_hash, height: 5, index: 1 };
		assert_eq!(MultisigOpenings::<Test>::get(SUBSTRATE, 0), Some(recorded));
		assert!(events().contains(&Event::MultisigOpened {
			chain: SUBSTRATE,
			nonce: 0,
			opening: recorded
		}));
		// A later opening of the batch is not the one the authorities approve: the pool
		// refuses its reports.
		assert!(authorize(&signed_report(0, &opened_at(9))).is_err());
		assert_eq!(MultisigOpenings::<Test>::get(SUBSTRATE, 0), Some(recorded));

		// Paid: the batch closes with its opening, and nothing opens it again.
		finalize(payout(a), 3);
		finalize(payout(b), 3);
		assert!(!VaultBatches::<Test>::contains_key(SUBSTRATE, 0));
		assert_eq!(MultisigOpenings::<Test>::get(SUBSTRATE, 0), None);
		assert!(ConnectionChain::batch_call(SUBSTRATE, 0, false).is_none());
		assert!(authorize(&signed_report(0, &opened_at(12))).is_err());
		check_invariants();
	});
}

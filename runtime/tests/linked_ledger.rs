//! The linked-ledger codec against this runtime itself, on the `linked_ledger` genesis: the
//! multisig approvals the off-chain worker builds are valid transactions (the transaction
//! pool's own check), and real applied blocks read back as the deposit, the batch's opening and
//! its payments, each with its own outcome.

mod common;

use codec::{Decode, Encode};
use common::genesis_ext;
use connection_chain_runtime::{
	genesis_config_presets::LINKED_LEDGER_RUNTIME_PRESET, linked_ledger::LinkedLedgerCodec,
	tx_extension, AccountId, Balance, Executive, Header, Runtime, RuntimeCall, SignedPayload,
	System, UncheckedExtrinsic, VERSION,
};
use frame_support::storage::{with_transaction, TransactionOutcome};
use pallet_connection_chain::{
	linked::{
		account_key, events_key, MultisigApproval, PendingMultisig, SeenDeposit, SeenOpening,
		SubstrateRuntimeCodec, SubstrateTxParams, VaultBatchCall, VaultTx,
	},
	DepositReference, FailureReason, LinkedAccount, LinkedBlock, LinkedTx, MultisigOpening,
};
use sp_core::{Pair, H256};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	generic::Era,
	traits::{BlakeTwo256, Hash, Header as _},
	transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
	DispatchError, MultiAddress, MultiSignature,
};

const UNIT: Balance = 1_000_000_000_000;
/// The validators' own accounts on the ledger; the vault is their 2-of-3 multisig account.
const SIGNERS: [Sr25519Keyring; 3] =
	[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie];
const USER: Sr25519Keyring = Sr25519Keyring::Dave;
const RECIPIENT: Sr25519Keyring = Sr25519Keyring::Eve;
/// An account that holds nothing: a payment below the existential deposit to it fails.
const NOBODY: [u8; 32] = [9; 32];

fn vault() -> [u8; 32] {
	let signers: Vec<[u8; 32]> = SIGNERS.iter().map(|k| k.public().0).collect();
	LinkedLedgerCodec::multisig_account(&signers, 2)
}

/// What the worker would read from the chain to sign a signer's extrinsic `nonce`: the
/// genesis hash, the versions, and a 64-block era born at the genesis block.
fn params(nonce: u64) -> SubstrateTxParams {
	let genesis_hash = System::block_hash(0);
	SubstrateTxParams {
		nonce,
		genesis_hash,
		spec_version: VERSION.spec_version,
		transaction_version: VERSION.transaction_version,
		era: Era::mortal(64, 0),
		era_birth_hash: genesis_hash,
	}
}

/// `signer`'s approval of `batch` (opening it without a timepoint).
fn approval(
	signer: Sr25519Keyring,
	batch: &VaultBatchCall,
	timepoint: Option<(u64, u32)>,
	params: &SubstrateTxParams,
) -> Vec<u8> {
	let mut other_signatories: Vec<[u8; 32]> =
		SIGNERS.iter().filter(|k| **k != signer).map(|k| k.public().0).collect();
	other_signatories.sort();
	let approval =
		MultisigApproval { threshold: 2, other_signatories, timepoint, call: batch.clone() };
	let pair = signer.pair();
	LinkedLedgerCodec::multisig_extrinsic(&approval, params, signer.public().0, &|payload| {
		Some(pair.sign(payload).0)
	})
	.expect("builds")
}

/// A user's deposit into the vault: the transfer and its memo in one batch, as
/// `tests/lib/exchange.mjs` sends it.
fn user_deposit(amount: Balance, memo: Vec<u8>) -> Vec<u8> {
	let call = RuntimeCall::Utility(pallet_utility::Call::batch_all {
		calls: vec![
			RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
				dest: MultiAddress::Id(AccountId::from(vault())),
				value: amount,
			}),
			RuntimeCall::System(frame_system::Call::remark { remark: memo }),
		],
	});
	let payload = SignedPayload::new(call, tx_extension(Era::mortal(64, 0), 0)).unwrap();
	let signature = payload.using_encoded(|payload| USER.pair().sign(payload));
	let (call, extension, _) = payload.deconstruct();
	UncheckedExtrinsic::new_signed(
		call,
		MultiAddress::Id(USER.to_account_id()),
		MultiSignature::Sr25519(signature),
		extension,
	)
	.encode()
}

/// The transaction pool's check, on a copy of the state thrown away after (validation
/// initializes a block).
fn validate(raw: &[u8]) -> Result<(), TransactionValidityError> {
	let xt = UncheckedExtrinsic::decode(&mut &raw[..]).expect("decodes with the runtime's types");
	let validity = with_transaction(|| {
		let validity =
			Executive::validate_transaction(TransactionSource::External, xt, System::parent_hash());
		TransactionOutcome::Rollback(Ok::<_, DispatchError>(validity))
	});
	validity.expect("no storage-layer error").map(|_| ())
}

fn free_of(who: &[u8; 32]) -> Balance {
	pallet_balances::Pallet::<Runtime>::free_balance(AccountId::from(*who))
}

fn header(number: u32) -> Header {
	Header::new(
		number,
		Default::default(),
		Default::default(),
		System::parent_hash(),
		Default::default(),
	)
}

/// Applies `extrinsics` as block `number` and reads it back as the worker does.
fn apply_and_scan(
	number: u32,
	extrinsics: &[Vec<u8>],
) -> pallet_connection_chain::linked::BlockScan {
	Executive::initialize_block(&header(number));
	for raw in extrinsics {
		let xt = UncheckedExtrinsic::decode(&mut &raw[..]).unwrap();
		assert_eq!(Executive::apply_extrinsic(xt), Ok(Ok(())));
	}
	let events = sp_io::storage::get(&events_key()).expect("events").to_vec();
	let block = LinkedBlock { number: number.into(), hash: H256::repeat_byte(number as u8) };
	LinkedLedgerCodec::scan_block(block, extrinsics, &events, &vault()).expect("reads")
}

fn pending(batch: &VaultBatchCall) -> Option<PendingMultisig> {
	let key = LinkedLedgerCodec::pending_multisig_key(
		&vault(),
		&LinkedLedgerCodec::batch_call_hash(batch),
	);
	sp_io::storage::get(&key)
		.map(|raw| LinkedLedgerCodec::decode_pending_multisig(&raw).expect("decodes"))
}

#[test]
fn the_vault_is_the_multisig_account_of_the_set_in_any_order() {
	// `pallet-multisig` takes the set sorted.
	let mut signers: Vec<AccountId> = SIGNERS.iter().map(|k| k.to_account_id()).collect();
	signers.sort();
	let expected: [u8; 32] =
		pallet_multisig::Pallet::<Runtime>::multi_account_id(&signers, 2).into();
	assert_eq!(vault(), expected);
	let reversed: Vec<[u8; 32]> = SIGNERS.iter().rev().map(|k| k.public().0).collect();
	assert_eq!(LinkedLedgerCodec::multisig_account(&reversed, 2), expected);
	assert_ne!(LinkedLedgerCodec::multisig_account(&reversed, 3), expected);
}

#[test]
fn approvals_are_valid_mortal_transactions_bound_to_the_chain() {
	genesis_ext(LINKED_LEDGER_RUNTIME_PRESET).execute_with(|| {
		let batch = VaultBatchCall { nonce: 0, payments: vec![(RECIPIENT.public().0, UNIT)] };
		assert_eq!(validate(&approval(SIGNERS[0], &batch, None, &params(0))), Ok(()));
		// Signed for another chain it is not this chain's transaction.
		let mut elsewhere = params(0);
		elsewhere.genesis_hash = H256::repeat_byte(7);
		assert_eq!(
			validate(&approval(SIGNERS[0], &batch, None, &elsewhere)),
			Err(InvalidTransaction::BadProof.into())
		);
		// Past its 64-block era, an extrinsic never included is dead.
		let late = approval(SIGNERS[1], &batch, None, &params(0));
		System::set_block_number(100);
		assert_eq!(validate(&late), Err(InvalidTransaction::AncientBirthBlock.into()));
		// Two batches never share a call: the nonce is part of it.
		let other = VaultBatchCall { nonce: 1, ..batch.clone() };
		assert_ne!(
			LinkedLedgerCodec::batch_call_hash(&batch),
			LinkedLedgerCodec::batch_call_hash(&other)
		);
	});
}

#[test]
fn a_deposit_an_opening_and_an_executed_batch_read_back_as_the_worker_needs() {
	genesis_ext(LINKED_LEDGER_RUNTIME_PRESET).execute_with(|| {
		let memo = pallet_connection_chain::memo::deposit_memo(
			&DepositReference::<AccountId>::Transfer(42),
		);
		// Two payments: one the vault can make, one below the existential deposit.
		let batch = VaultBatchCall {
			nonce: 7,
			payments: vec![(RECIPIENT.public().0, 7 * UNIT), (NOBODY, 1)],
		};
		let recipient_before = free_of(&RECIPIENT.public().0);

		// Block 1: the deposit, then Alice opens the batch.
		let first = vec![
			user_deposit(100 * UNIT, memo.clone()),
			approval(SIGNERS[0], &batch, None, &params(0)),
		];
		let scan = apply_and_scan(1, &first);
		let tx = |raw: &[u8], number: u64| LinkedTx {
			hash: BlakeTwo256::hash(raw),
			block: LinkedBlock { number, hash: H256::repeat_byte(number as u8) },
		};
		assert_eq!(
			scan.deposits,
			vec![SeenDeposit {
				tx: tx(&first[0], 1),
				from: LinkedAccount::Substrate(USER.public().0),
				amount: 100 * UNIT,
				memo: memo.clone(),
			}]
		);
		let call_hash = LinkedLedgerCodec::batch_call_hash(&batch);
		let opening = MultisigOpening { takes_nonce_only: false, call_hash, height: 1, index: 1 };
		assert_eq!(scan.openings, vec![SeenOpening { nonce: 7, opening }]);
		assert!(scan.vault_txs.is_empty(), "one approval of two moves nothing");
		assert_eq!(
			pending(&batch),
			Some(PendingMultisig { timepoint: (1, 1), approvals: vec![SIGNERS[0].public().0] })
		);
		assert_eq!(free_of(&vault()), 100 * UNIT);

		// Block 2: Bob approves at that timepoint, which executes the batch.
		let second = vec![approval(SIGNERS[1], &batch, Some((1, 1)), &params(0))];
		let scan = apply_and_scan(2, &second);
		assert!(scan.openings.is_empty());
		assert!(
			matches!(
				&scan.vault_txs[..],
				[
					VaultTx { nonce: 7, outcome: Ok(()), fee: 0, .. },
					VaultTx { nonce: 7, outcome: Err(FailureReason::Other(_)), fee: 0, .. },
				]
			),
			"{:?}",
			scan.vault_txs
		);
		assert_eq!(scan.vault_txs[0].tx, tx(&second[0], 2));
		assert_eq!(
			scan.vault_txs.iter().map(|vault_tx| vault_tx.transfer).collect::<Vec<_>>(),
			vec![
				Some((LinkedAccount::Substrate(RECIPIENT.public().0), 7 * UNIT)),
				Some((LinkedAccount::Substrate(NOBODY), 1)),
			]
		);
		// The figures agree with the chain's balances: the vault paid the one payment that
		// worked, and no fee.
		assert_eq!(free_of(&vault()), 93 * UNIT);
		assert_eq!(free_of(&RECIPIENT.public().0), recipient_before + 7 * UNIT);
		let raw_account = sp_io::storage::get(&account_key(&vault())).unwrap();
		assert_eq!(LinkedLedgerCodec::decode_account(&raw_account), Some((93 * UNIT, 0)));
		// Executed, the operation is gone: Charlie's late approval at that timepoint fails.
		assert_eq!(pending(&batch), None);
		let late = approval(SIGNERS[2], &batch, Some((1, 1)), &params(0));
		Executive::initialize_block(&header(3));
		let xt = UncheckedExtrinsic::decode(&mut &late[..]).unwrap();
		assert!(matches!(Executive::apply_extrinsic(xt), Ok(Err(_))));
		assert_eq!(free_of(&vault()), 93 * UNIT);
	});
}

/// The sole validator's signer account, which is the vault of a chain with one validator.
const SOLE_SIGNER: Sr25519Keyring = Sr25519Keyring::Ferdie;

/// The sole signer's vault extrinsic as the worker builds it: `transfer` paid, or only the
/// nonce taken.
fn sole_signer_extrinsic(
	transfer: Option<([u8; 32], Balance)>,
	params: &SubstrateTxParams,
) -> Vec<u8> {
	let pair = SOLE_SIGNER.pair();
	LinkedLedgerCodec::signed_extrinsic(transfer, params, SOLE_SIGNER.public().0, &|payload| {
		Some(pair.sign(payload).0)
	})
	.expect("builds")
}

#[test]
fn a_one_validator_vault_pays_by_its_own_nonce_and_reads_back_with_its_fees() {
	genesis_ext(LINKED_LEDGER_RUNTIME_PRESET).execute_with(|| {
		let vault = SOLE_SIGNER.public().0;
		let payout = sole_signer_extrinsic(Some((RECIPIENT.public().0, 7 * UNIT)), &params(0));
		let taker = sole_signer_extrinsic(None, &params(1));
		assert_eq!(validate(&payout), Ok(()));
		// Signed for another chain it is not this chain's transaction.
		let mut elsewhere = params(0);
		elsewhere.genesis_hash = H256::repeat_byte(7);
		assert_eq!(
			validate(&sole_signer_extrinsic(None, &elsewhere)),
			Err(InvalidTransaction::BadProof.into())
		);
		let (vault_before, recipient_before) = (free_of(&vault), free_of(&RECIPIENT.public().0));

		let extrinsics = vec![payout.clone(), taker];
		Executive::initialize_block(&header(1));
		for raw in &extrinsics {
			let xt = UncheckedExtrinsic::decode(&mut &raw[..]).unwrap();
			assert_eq!(Executive::apply_extrinsic(xt), Ok(Ok(())));
		}
		let events = sp_io::storage::get(&events_key()).expect("events").to_vec();
		let block = LinkedBlock { number: 1, hash: H256::repeat_byte(1) };
		let scan =
			LinkedLedgerCodec::scan_block(block, &extrinsics, &events, &vault).expect("reads");
		let tx = |raw: &[u8]| LinkedTx { hash: BlakeTwo256::hash(raw), block };
		let fees: Vec<Balance> = scan.vault_txs.iter().map(|vault_tx| vault_tx.fee).collect();
		assert!(fees.iter().all(|fee| *fee > 0), "the vault paid a fee for each: {fees:?}");
		assert_eq!(
			scan.vault_txs,
			vec![
				VaultTx {
					tx: tx(&extrinsics[0]),
					nonce: 0,
					transfer: Some((LinkedAccount::Substrate(RECIPIENT.public().0), 7 * UNIT)),
					outcome: Ok(()),
					fee: fees[0],
				},
				VaultTx {
					tx: tx(&extrinsics[1]),
					nonce: 1,
					transfer: None,
					outcome: Ok(()),
					fee: fees[1]
				},
			]
		);
		// The figures agree with the chain's balances, so the pallet's ledger can follow the
		// vault exactly; the payout's nonce is taken, so the payout cannot land again.
		assert_eq!(free_of(&vault), vault_before - 7 * UNIT - fees[0] - fees[1]);
		assert_eq!(free_of(&RECIPIENT.public().0), recipient_before + 7 * UNIT);
		assert_eq!(validate(&payout), Err(InvalidTransaction::Stale.into()));
		let raw_account = sp_io::storage::get(&account_key(&vault)).unwrap();
		assert_eq!(LinkedLedgerCodec::decode_account(&raw_account), Some((free_of(&vault), 2)));
	});
}

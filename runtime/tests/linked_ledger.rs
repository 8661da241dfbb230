//! The linked-ledger codec against this runtime itself, on the `linked_ledger` genesis: the
//! vault extrinsics the off-chain worker builds are valid transactions (the transaction pool's
//! own check) and apply, and a real applied block reads back as the deposit and the vault
//! transactions it holds.

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
		account_key, events_key, SeenDeposit, SubstrateRuntimeCodec, SubstrateTxParams, VaultTx,
	},
	DepositReference, LinkedAccount, LinkedBlock, LinkedTx,
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
const VAULT: Sr25519Keyring = Sr25519Keyring::Alice;
const USER: Sr25519Keyring = Sr25519Keyring::Bob;
const RECIPIENT: Sr25519Keyring = Sr25519Keyring::Charlie;

/// What the worker would read from the chain to sign the vault's extrinsic `nonce`: the
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

/// The vault's extrinsic as the worker builds it: `transfer` paid, or only the nonce taken.
fn vault_extrinsic(
	transfer: Option<(Sr25519Keyring, Balance)>,
	params: &SubstrateTxParams,
) -> Vec<u8> {
	let pair = VAULT.pair();
	LinkedLedgerCodec::signed_extrinsic(
		transfer.map(|(to, amount)| (to.public().0, amount)),
		params,
		VAULT.public().0,
		&|payload| Some(pair.sign(payload).0),
	)
	.expect("builds")
}

/// A user's deposit as a wallet would sign it: the transfer into the vault batched with the
/// remark that names the transfer.
fn user_deposit(amount: Balance, memo: Vec<u8>) -> Vec<u8> {
	let call = RuntimeCall::Utility(pallet_utility::Call::batch_all {
		calls: vec![
			RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
				dest: MultiAddress::Id(VAULT.to_account_id()),
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

fn free(who: Sr25519Keyring) -> Balance {
	pallet_balances::Pallet::<Runtime>::free_balance(who.to_account_id())
}

#[test]
fn vault_extrinsics_are_valid_mortal_transactions_bound_to_the_chain() {
	genesis_ext(LINKED_LEDGER_RUNTIME_PRESET).execute_with(|| {
		let payout = vault_extrinsic(Some((RECIPIENT, 5 * UNIT)), &params(0));
		assert_eq!(validate(&payout), Ok(()));
		let xt = UncheckedExtrinsic::decode(&mut &payout[..]).unwrap();
		assert_eq!(
			xt.function,
			RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
				dest: MultiAddress::Id(RECIPIENT.to_account_id()),
				value: 5 * UNIT,
			})
		);
		// The nonce taker moves nothing.
		let taker = vault_extrinsic(None, &params(0));
		assert_eq!(validate(&taker), Ok(()));

		// Signed for another chain, or with another nonce, it is not this chain's transaction.
		let mut elsewhere = params(0);
		elsewhere.genesis_hash = H256::repeat_byte(7);
		assert_eq!(
			validate(&vault_extrinsic(Some((RECIPIENT, UNIT)), &elsewhere)),
			Err(InvalidTransaction::BadProof.into())
		);
		// A future nonce waits in the pool.
		assert!(validate(&vault_extrinsic(Some((RECIPIENT, UNIT)), &params(1))).is_ok());

		// Once the payout is applied its nonce is taken: the taker of that nonce is stale.
		Executive::initialize_block(&header(1));
		let applied = UncheckedExtrinsic::decode(&mut &payout[..]).unwrap();
		assert_eq!(Executive::apply_extrinsic(applied), Ok(Ok(())));
		assert_eq!(validate(&taker), Err(InvalidTransaction::Stale.into()));

		// Past its 64-block era, an extrinsic never included is dead.
		let late = vault_extrinsic(Some((RECIPIENT, UNIT)), &params(1));
		assert_eq!(validate(&late), Ok(()));
		System::set_block_number(100);
		assert_eq!(validate(&late), Err(InvalidTransaction::AncientBirthBlock.into()));
	});
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

#[test]
fn a_block_with_a_deposit_a_payout_and_a_nonce_taker_reads_back_as_the_worker_needs() {
	genesis_ext(LINKED_LEDGER_RUNTIME_PRESET).execute_with(|| {
		let memo = pallet_connection_chain::memo::deposit_memo(
			&DepositReference::<AccountId>::Transfer(42),
		);
		let extrinsics = vec![
			user_deposit(100 * UNIT, memo.clone()),
			vault_extrinsic(Some((RECIPIENT, 7 * UNIT)), &params(0)),
			vault_extrinsic(None, &params(1)),
		];
		let (vault_before, user_before, recipient_before) =
			(free(VAULT), free(USER), free(RECIPIENT));

		Executive::initialize_block(&header(1));
		for raw in &extrinsics {
			let xt = UncheckedExtrinsic::decode(&mut &raw[..]).unwrap();
			assert_eq!(Executive::apply_extrinsic(xt), Ok(Ok(())));
		}
		let events = sp_io::storage::get(&events_key()).expect("events").to_vec();
		let block = LinkedBlock { number: 1, hash: H256::repeat_byte(1) };
		let scan = LinkedLedgerCodec::scan_block(block, &extrinsics, &events, &VAULT.public().0)
			.expect("reads");

		let tx = |raw: &[u8]| LinkedTx { hash: BlakeTwo256::hash(raw), block };
		assert_eq!(
			scan.deposits,
			vec![SeenDeposit {
				tx: tx(&extrinsics[0]),
				from: LinkedAccount::Substrate(USER.public().0),
				amount: 100 * UNIT,
				memo: memo.clone(),
			}]
		);
		assert_eq!(
			pallet_connection_chain::memo::parse_memo::<AccountId>(&scan.deposits[0].memo),
			DepositReference::Transfer(42)
		);
		let fees: Vec<Balance> = scan.vault_txs.iter().map(|vault_tx| vault_tx.fee).collect();
		assert!(fees.iter().all(|fee| *fee > 0), "the vault paid a fee for each: {fees:?}");
		assert_eq!(
			scan.vault_txs,
			vec![
				VaultTx {
					tx: tx(&extrinsics[1]),
					nonce: 0,
					transfer: Some((LinkedAccount::Substrate(RECIPIENT.public().0), 7 * UNIT)),
					outcome: Ok(()),
					fee: fees[0],
				},
				VaultTx {
					tx: tx(&extrinsics[2]),
					nonce: 1,
					transfer: None,
					outcome: Ok(()),
					fee: fees[1]
				},
			]
		);

		// The figures agree with the chain's balances, so the pallet's ledger can follow the
		// vault exactly.
		assert_eq!(free(VAULT), vault_before + 100 * UNIT - 7 * UNIT - fees[0] - fees[1]);
		assert_eq!(free(RECIPIENT), recipient_before + 7 * UNIT);
		assert!(free(USER) < user_before - 100 * UNIT, "the user paid the deposit and its fee");
		let raw_account = sp_io::storage::get(&account_key(&VAULT.public().0)).unwrap();
		assert_eq!(LinkedLedgerCodec::decode_account(&raw_account), Some((free(VAULT), 2)));
	});
}

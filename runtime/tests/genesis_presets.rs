//! Every genesis preset builds a genesis state, with the validators, endowments, sudo key and
//! block time it is specified to have.

mod common;

use common::genesis_ext;
use connection_chain_runtime::{
	genesis_config_presets::{
		get_preset, preset_names, CONNECTION_CHAIN_ENDOWMENT, DEV_BLOCK_TIME_MS,
		LINKED_LEDGER_BLOCK_TIME_MS, LINKED_LEDGER_ENDOWMENT, LINKED_LEDGER_RUNTIME_PRESET,
		LOCAL_BLOCK_TIME_MS,
	},
	AccountId, Balance, Runtime,
};
use frame_support::traits::Get;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

fn aura_and_grandpa(
	validators: &[(Sr25519Keyring, Ed25519Keyring)],
) -> (Vec<AuraId>, Vec<(GrandpaId, u64)>) {
	(
		validators.iter().map(|(aura, _)| aura.public().into()).collect(),
		validators.iter().map(|(_, grandpa)| (grandpa.public().into(), 1)).collect(),
	)
}

fn assert_authorities(validators: &[(Sr25519Keyring, Ed25519Keyring)]) {
	let (aura, grandpa) = aura_and_grandpa(validators);
	assert_eq!(pallet_aura::Authorities::<Runtime>::get().into_inner(), aura);
	assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities(), grandpa);
}

fn balance_of(who: Sr25519Keyring) -> Balance {
	pallet_balances::Pallet::<Runtime>::free_balance(who.to_account_id())
}

fn assert_endowed(accounts: &[Sr25519Keyring], amount: Balance) {
	for account in accounts {
		assert_eq!(balance_of(*account), amount, "endowment of {account:?}");
	}
	let expected_issuance = amount * accounts.len() as Balance;
	assert_eq!(pallet_balances::Pallet::<Runtime>::total_issuance(), expected_issuance);
}

fn sudo_key() -> Option<AccountId> {
	pallet_sudo::Key::<Runtime>::get()
}

/// The attestation authorities (as sr25519 keys) and threshold.
fn attestation() -> (Vec<[u8; 32]>, u32) {
	let authorities = pallet_connection_chain::Authorities::<Runtime>::get()
		.into_iter()
		.map(|key| sp_core::crypto::ByteArray::as_slice(&key).try_into().unwrap())
		.collect();
	(authorities, pallet_connection_chain::Threshold::<Runtime>::get())
}

fn block_time() -> u64 {
	<Runtime as pallet_aura::Config>::SlotDuration::get()
}

const ALICE: (Sr25519Keyring, Ed25519Keyring) = (Sr25519Keyring::Alice, Ed25519Keyring::Alice);
const BOB: (Sr25519Keyring, Ed25519Keyring) = (Sr25519Keyring::Bob, Ed25519Keyring::Bob);
const CHARLIE: (Sr25519Keyring, Ed25519Keyring) =
	(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie);

/// The twelve well-known dev accounts: Alice to Ferdie and their stashes.
fn all_dev_accounts() -> Vec<Sr25519Keyring> {
	Sr25519Keyring::iter()
		.filter(|k| !matches!(k, Sr25519Keyring::One | Sr25519Keyring::Two))
		.collect()
}

#[test]
fn offers_exactly_the_three_presets() {
	let mut names = preset_names();
	names.sort();
	assert_eq!(names, vec!["development", "linked_ledger", "local_testnet"]);
	assert!(get_preset(&"no_such_preset".into()).is_none());
}

#[test]
fn development_preset_has_alice_as_only_validator_and_short_blocks() {
	genesis_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		assert_authorities(&[ALICE]);
		assert_eq!(all_dev_accounts().len(), 12);
		assert_endowed(&all_dev_accounts(), CONNECTION_CHAIN_ENDOWMENT);
		assert_eq!(sudo_key(), Some(Sr25519Keyring::Alice.to_account_id()));
		assert_eq!(block_time(), DEV_BLOCK_TIME_MS);
		assert!(block_time() <= 2_000, "dev blocks must be 2 s or shorter");
		assert_eq!(attestation(), (vec![Sr25519Keyring::Alice.public().0], 1));
	});
}

#[test]
fn local_preset_has_three_validators_and_six_second_blocks() {
	genesis_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		assert_authorities(&[ALICE, BOB, CHARLIE]);
		assert_endowed(&all_dev_accounts(), CONNECTION_CHAIN_ENDOWMENT);
		assert_eq!(sudo_key(), Some(Sr25519Keyring::Alice.to_account_id()));
		assert_eq!(block_time(), LOCAL_BLOCK_TIME_MS);
		assert_eq!(block_time(), 6_000);
		let keys = [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie];
		assert_eq!(attestation(), (keys.iter().map(|k| k.public().0).collect(), 2));
	});
}

#[test]
fn linked_ledger_preset_has_its_own_endowments_and_short_blocks() {
	genesis_ext(LINKED_LEDGER_RUNTIME_PRESET).execute_with(|| {
		assert_authorities(&[ALICE]);
		let endowed = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
			Sr25519Keyring::Eve,
			Sr25519Keyring::Ferdie,
		];
		assert_endowed(&endowed, LINKED_LEDGER_ENDOWMENT);
		// The stashes hold nothing here, unlike on the connection chain.
		assert_eq!(balance_of(Sr25519Keyring::AliceStash), 0);
		assert_ne!(LINKED_LEDGER_ENDOWMENT, CONNECTION_CHAIN_ENDOWMENT);
		assert_eq!(block_time(), LINKED_LEDGER_BLOCK_TIME_MS);
		assert!(block_time() <= 2_000);
		assert_eq!(attestation(), (vec![], 0), "the linked ledger watches no chain");
	});
}

#[test]
fn presets_build_different_genesis_states() {
	let root = |preset: &str| {
		let mut ext = genesis_ext(preset);
		ext.commit_all().unwrap();
		ext.execute_with(|| sp_io::storage::root(sp_runtime::StateVersion::V1))
	};
	let dev = root(DEV_RUNTIME_PRESET);
	let local = root(LOCAL_TESTNET_RUNTIME_PRESET);
	let linked = root(LINKED_LEDGER_RUNTIME_PRESET);
	assert_ne!(dev, local);
	assert_ne!(dev, linked);
	assert_ne!(local, linked);
}

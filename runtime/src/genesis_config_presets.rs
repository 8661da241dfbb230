//! Genesis presets: the validators, endowments, sudo key and block time of each chain this
//! runtime runs as.
//!
//! | preset | chain | validators | block time |
//! |---|---|---|---|
//! | `development` | connection chain, one developer node | Alice | [`DEV_BLOCK_TIME_MS`] |
//! | `local_testnet` | connection chain, three-validator testnet | Alice, Bob, Charlie | [`LOCAL_BLOCK_TIME_MS`] |
//! | `linked_ledger` | a plain Substrate ledger the connection chain links to | Alice | [`LINKED_LEDGER_BLOCK_TIME_MS`] |

use crate::{
	AccountId, Balance, BalancesConfig, BlockTimeConfig, ConnectionChainConfig,
	RuntimeGenesisConfig, SudoConfig, UNIT,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use pallet_connection_chain::crypto::AuthorityId as AttestationId;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// Preset of the plain Substrate ledger used as a linked chain in demos and tests.
pub const LINKED_LEDGER_RUNTIME_PRESET: &str = "linked_ledger";

/// Block time of the development chain: short, so demos and tests are quick.
pub const DEV_BLOCK_TIME_MS: u64 = 2_000;
/// Block time of the three-validator local testnet.
pub const LOCAL_BLOCK_TIME_MS: u64 = 6_000;
/// Block time of the linked ledger.
pub const LINKED_LEDGER_BLOCK_TIME_MS: u64 = 1_000;

/// Reports an observation needs on the development chain: its one validator.
pub const DEV_ATTESTATION_THRESHOLD: u32 = 1;
/// Reports an observation needs on the testnet: two of its three validators.
pub const LOCAL_ATTESTATION_THRESHOLD: u32 = 2;

/// What each dev account holds on the connection chain.
pub const CONNECTION_CHAIN_ENDOWMENT: Balance = 1_000_000 * UNIT;
/// What each endowed account holds on the linked ledger.
pub const LINKED_LEDGER_ENDOWMENT: Balance = 100_000 * UNIT;

/// A validator's dev keys: Aura (sr25519) and GRANDPA (ed25519) derived from the same name.
type DevValidator = (Sr25519Keyring, Ed25519Keyring);

const ALICE: DevValidator = (Sr25519Keyring::Alice, Ed25519Keyring::Alice);
const BOB: DevValidator = (Sr25519Keyring::Bob, Ed25519Keyring::Bob);
const CHARLIE: DevValidator = (Sr25519Keyring::Charlie, Ed25519Keyring::Charlie);

fn genesis(
	validators: &[DevValidator],
	endowed: Vec<(AccountId, Balance)>,
	root: Sr25519Keyring,
	block_time_ms: u64,
	attestation_threshold: u32,
) -> Value {
	let aura: Vec<AuraId> = validators.iter().map(|(aura, _)| aura.public().into()).collect();
	let grandpa: Vec<(GrandpaId, u64)> =
		validators.iter().map(|(_, grandpa)| (grandpa.public().into(), 1)).collect();
	// The validators attest linked-chain observations with their sr25519 dev key too; a
	// chain with threshold 0 has no attesters (the linked ledger watches no other chain).
	let attesters: Vec<AttestationId> = if attestation_threshold == 0 {
		Vec::new()
	} else {
		validators.iter().map(|(aura, _)| aura.public().into()).collect()
	};
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig { balances: endowed },
		aura: pallet_aura::GenesisConfig { authorities: aura },
		grandpa: pallet_grandpa::GenesisConfig { authorities: grandpa },
		sudo: SudoConfig { key: Some(root.to_account_id()) },
		block_time: BlockTimeConfig { block_time_ms },
		connection_chain: ConnectionChainConfig {
			authorities: attesters,
			threshold: attestation_threshold
		},
	})
}

/// Every well-known dev account (Alice to Ferdie and their stashes), each with `amount`.
fn dev_endowments(amount: Balance) -> Vec<(AccountId, Balance)> {
	Sr25519Keyring::iter()
		.filter(|k| !matches!(k, Sr25519Keyring::One | Sr25519Keyring::Two))
		.map(|k| (k.to_account_id(), amount))
		.collect()
}

/// The connection chain on one developer node: Alice validates and is sudo.
pub fn development_config_genesis() -> Value {
	genesis(
		&[ALICE],
		dev_endowments(CONNECTION_CHAIN_ENDOWMENT),
		Sr25519Keyring::Alice,
		DEV_BLOCK_TIME_MS,
		DEV_ATTESTATION_THRESHOLD,
	)
}

/// The connection chain as a three-validator testnet: Alice, Bob and Charlie.
pub fn local_config_genesis() -> Value {
	genesis(
		&[ALICE, BOB, CHARLIE],
		dev_endowments(CONNECTION_CHAIN_ENDOWMENT),
		Sr25519Keyring::Alice,
		LOCAL_BLOCK_TIME_MS,
		LOCAL_ATTESTATION_THRESHOLD,
	)
}

/// A plain Substrate ledger linked to the connection chain: Alice validates; the six base dev
/// accounts (not their stashes) hold its token.
pub fn linked_ledger_config_genesis() -> Value {
	let endowed = [
		Sr25519Keyring::Alice,
		Sr25519Keyring::Bob,
		Sr25519Keyring::Charlie,
		Sr25519Keyring::Dave,
		Sr25519Keyring::Eve,
		Sr25519Keyring::Ferdie,
	]
	.iter()
	.map(|k| (k.to_account_id(), LINKED_LEDGER_ENDOWMENT))
	.collect();
	genesis(&[ALICE], endowed, Sr25519Keyring::Alice, LINKED_LEDGER_BLOCK_TIME_MS, 0)
}

/// The JSON patch of the preset named `id`, if there is one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_str() {
		DEV_RUNTIME_PRESET => development_config_genesis(),
		LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		LINKED_LEDGER_RUNTIME_PRESET => linked_ledger_config_genesis(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work. qed.")
			.into_bytes(),
	)
}

/// The names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(DEV_RUNTIME_PRESET),
		PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET),
		PresetId::from(LINKED_LEDGER_RUNTIME_PRESET),
	]
}

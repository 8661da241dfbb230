//! The chain specs the node knows by name: `dev`, `local` and `linked-ledger`.
//!
//! Each one names a genesis preset of the runtime (validators, endowments, block time) and adds
//! what only the chain spec holds: the chain's name, id and token.

use connection_chain_runtime::{genesis_config_presets::LINKED_LEDGER_RUNTIME_PRESET, WASM_BINARY};
use sc_service::{ChainType, Properties};
use sp_genesis_builder::{DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};

/// Specialized `ChainSpec`: the runtime has no chain-spec extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Decimals of both chains' tokens, as in the runtime's `UNIT`.
const TOKEN_DECIMALS: u32 = 12;
/// The generic Substrate SS58 address prefix, as in the runtime's `SS58Prefix`.
const SS58_FORMAT: u32 = 42;

fn token_properties(symbol: &str) -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), symbol.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_FORMAT.into());
	properties
}

fn wasm_binary() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"The runtime wasm is not available: this node was built with SKIP_WASM_BUILD. \
		 Rebuild without it, or pass a chain spec JSON file that contains the runtime code."
			.to_string()
	})
}

/// The connection chain on one developer node (Alice).
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("Connection Chain Development")
		.with_id("connection_chain_dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(DEV_RUNTIME_PRESET)
		.with_properties(token_properties("CNX"))
		.build())
}

/// The connection chain as a local three-validator testnet (Alice, Bob, Charlie).
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("Connection Chain Local Testnet")
		.with_id("connection_chain_local")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(token_properties("CNX"))
		.build())
}

/// A plain Substrate ledger that the connection chain links to in demos and tests.
pub fn linked_ledger_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("Linked Ledger")
		.with_id("linked_ledger")
		.with_protocol_id("linked-ledger")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(LINKED_LEDGER_RUNTIME_PRESET)
		.with_properties(token_properties("LNK"))
		.build())
}

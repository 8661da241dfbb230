//! Helpers shared by the runtime's integration tests.

use connection_chain_runtime::{genesis_config_presets::get_preset, RuntimeGenesisConfig};
use serde_json::Value;
use sp_runtime::BuildStorage;

/// Applies a JSON patch the way the chain-spec builder does: objects merge key by key,
/// anything else replaces.
fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(Value::Null), value);
			}
		}
		(base, patch) => *base = patch,
	}
}

/// Builds the genesis state of a preset: the default config with the preset's patch applied.
/// Unknown fields in the patch are an error (`RuntimeGenesisConfig` denies them).
pub fn genesis_ext(preset: &str) -> sp_io::TestExternalities {
	let patch: Value =
		serde_json::from_slice(&get_preset(&preset.into()).expect("preset exists")).unwrap();
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	merge(&mut config, patch);
	let config: RuntimeGenesisConfig = serde_json::from_value(config).expect("patch is valid");
	config.build_storage().expect("genesis builds").into()
}

//! Storage weights of the connection chain's ParityDb, measured by `benchmark storage`
//! (`scripts/benchmark-storage.sh`). Generated: do not edit by hand.
//!
//! CLI version 64.0.0, 2026-11-25 (Y/M/D), host `vm`, CPU `Intel(R) Xeon(R) Processor`.
//! Database `ParityDb`, runtime `Connection Chain Development`, state at block `Number(108)`,
//! state version V1, 1 warm-up round(s).
//! Weight = the Average × 1.1 + 0 ns.

// Executed command:
//   /root/.cache/connection-chain/target/release/connection-chain-node
//   benchmark
//   storage
//   --dev
//   --base-path
//   /tmp/tmp.AE8b7vofnW
//   --db
//   paritydb
//   --state-version
//   1
//   --batch-size
//   1000
//   --mul
//   1.1
//   --template-path
//   scripts/db-weight-template.hbs
//   --weight-path
//   runtime/src/paritydb_weights.rs

use frame_support::{
	parameter_types,
	weights::{constants, RuntimeDbWeight},
};

parameter_types! {
	/// The cost of one storage read and one storage write.
	pub const ParityDbWeight: RuntimeDbWeight = RuntimeDbWeight {
		// Reads, in ns: min 578, max 322_592,
		// average 4_938, median 4_769, std-dev 3398.6;
		// 99th 10_085, 95th 6_231, 75th 5_366.
		read: 5_432 * constants::WEIGHT_REF_TIME_PER_NANOS,
		// Writes, in ns: min 10_108, max 65_381,
		// average 18_059, median 18_208, std-dev 5291.94;
		// 99th 23_641, 95th 20_490, 75th 18_556.
		write: 19_865 * constants::WEIGHT_REF_TIME_PER_NANOS,
	};
}

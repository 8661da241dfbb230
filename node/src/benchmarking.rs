//! The `benchmark` subcommand (built only with `--features runtime-benchmarks`).
//!
//! `benchmark pallet` generates the runtime's `weights.rs` files; `storage`, `block` and
//! `machine` measure the node and its database.

use crate::{cli::Cli, service};
use connection_chain_runtime::opaque::Block;
use frame_benchmarking_cli::{BenchmarkCmd, SUBSTRATE_REFERENCE_HARDWARE};
use sc_cli::SubstrateCli;
use sc_service::PartialComponents;
use sp_runtime::traits::HashingFor;

/// Runs one benchmark subcommand.
pub fn run(cli: &Cli, cmd: &BenchmarkCmd) -> sc_cli::Result<()> {
	let runner = cli.create_runner(cmd)?;
	runner.sync_run(|config| match cmd {
		BenchmarkCmd::Pallet(cmd) => {
			cmd.run_with_spec::<HashingFor<Block>, ()>(Some(config.chain_spec))
		}
		BenchmarkCmd::Block(cmd) => {
			let PartialComponents { client, .. } = service::new_partial(&config)?;
			cmd.run(client)
		}
		BenchmarkCmd::Storage(cmd) => {
			let PartialComponents { client, backend, .. } = service::new_partial(&config)?;
			let db = backend.expose_db();
			let storage = backend.expose_storage();
			cmd.run(config, client, db, storage, None)
		}
		BenchmarkCmd::Machine(cmd) => cmd.run(&config, SUBSTRATE_REFERENCE_HARDWARE.clone()),
		BenchmarkCmd::Overhead(_) | BenchmarkCmd::Extrinsic(_) => {
			Err("`benchmark overhead` and `benchmark extrinsic` are not wired into this node: \
			 use `benchmark pallet`, or `scripts/bench.sh` for end-to-end figures."
				.into())
		}
	})
}

//! Command-line interface: the standard Substrate node flags and subcommands.

use sc_cli::RunCmd;

/// Command-line arguments of the node.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	/// A subcommand; without one the node runs.
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	/// Flags of the running node.
	#[clap(flatten)]
	pub run: RunCmd,

	/// The JSON-RPC (HTTP) endpoint of a linked chain, as `<chain id>=<url>`, e.g.
	/// `--linked-rpc 1=http://127.0.0.1:8545`; repeat it for each chain. The off-chain worker
	/// watches and settles on the chains it knows an endpoint of. Written into this node's
	/// off-chain storage at start; the `offchain_localStorageSet` RPC can change it later.
	#[arg(long = "linked-rpc", value_name = "CHAIN=URL", value_parser = parse_linked_rpc)]
	pub linked_rpc: Vec<(u32, String)>,
}

fn parse_linked_rpc(text: &str) -> Result<(u32, String), String> {
	let (chain, url) = text.split_once('=').ok_or("expected <chain id>=<url>")?;
	let chain = chain.parse().map_err(|_| format!("`{chain}` is not a chain id"))?;
	if !(url.starts_with("http://") || url.starts_with("https://")) {
		return Err(format!("`{url}` is not an http(s) URL"));
	}
	Ok((chain, url.to_string()))
}

/// The node's subcommands.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management (generate, inspect, insert into the keystore).
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Export a chain spec (`--chain dev|local|linked-ledger`) as JSON.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Benchmarks of the runtime (only in a node built with `--features runtime-benchmarks`).
	#[cfg(feature = "runtime-benchmarks")]
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// Database meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),
}

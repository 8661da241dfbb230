//! The connection-chain node: Aura block authoring, GRANDPA finality, off-chain workers.

#![warn(missing_docs)]
// Every command returns `sc_cli::Error` / `sc_service::Error`, large upstream enums we do not
// control; boxing them everywhere would only obscure the code.
#![allow(clippy::result_large_err)]

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod keystore;
mod proposer;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}

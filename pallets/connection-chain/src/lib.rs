//! # Connection-chain pallet
//!
//! Records cross-chain transfers between two linked chains of different architectures (a
//! Substrate chain and an EVM chain): the sender's asset is put on hold in a vault on its chain,
//! the counter-transfer is made on the other chain, then the hold is confirmed to the
//! counterparty or cancelled back to its owner.
//!
//! This crate is wired into the runtime from the start so that the runtime's pallet indices,
//! genesis presets and metadata stay stable while the pallet grows. Its storage, calls and
//! off-chain workers are built in the following issues; for now it declares only its
//! configuration trait.

#![cfg_attr(not(feature = "std"), no_std)]

pub use pallet::*;

/// Log target of this pallet.
pub const LOG_TARGET: &str = "runtime::connection-chain";

#[frame_support::pallet]
pub mod pallet {
	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// Configuration of the connection-chain pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config {}
}

//! # Block time pallet
//!
//! Holds the chain's target block time (the Aura slot duration) in storage, set once in the
//! genesis config. This lets one runtime serve chains with different block times: the `dev`
//! connection chain (short blocks for demos and tests), the `local` testnet (6 s) and the plain
//! linked-ledger chain all choose their block time in their chain spec instead of in a
//! separate build.
//!
//! Wire it into the runtime as:
//!
//! ```ignore
//! impl pallet_aura::Config for Runtime { type SlotDuration = pallet_block_time::SlotDuration<Runtime>; .. }
//! impl pallet_timestamp::Config for Runtime { type MinimumPeriod = pallet_block_time::MinimumPeriod<Runtime>; .. }
//! ```
//!
//! There is deliberately no call to change the value: Aura cannot change its slot duration on a
//! live chain without stalling block production, so the block time is fixed at genesis.

#![cfg_attr(not(feature = "std"), no_std)]

pub use pallet::*;

use frame_support::traits::Get;

/// Block time used when the genesis config does not set one, in milliseconds.
pub const DEFAULT_BLOCK_TIME_MS: u64 = 6_000;

#[frame_support::pallet]
pub mod pallet {
	use super::DEFAULT_BLOCK_TIME_MS;
	use frame_support::pallet_prelude::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {}

	#[pallet::type_value]
	pub fn DefaultBlockTime() -> u64 {
		DEFAULT_BLOCK_TIME_MS
	}

	/// Target time between two blocks, in milliseconds (the Aura slot duration).
	#[pallet::storage]
	#[pallet::whitelist_storage]
	pub type TargetBlockTime<T> = StorageValue<_, u64, ValueQuery, DefaultBlockTime>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Target block time in milliseconds. Must be an even number of at least 2, because
		/// the timestamp pallet's minimum period is half of it.
		pub block_time_ms: u64,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// An absent value (0 from `Default`) keeps the default block time.
			if self.block_time_ms == 0 {
				return;
			}
			assert!(
				self.block_time_ms >= 2 && self.block_time_ms.is_multiple_of(2),
				"block_time_ms must be an even number of at least 2 milliseconds"
			);
			TargetBlockTime::<T>::put(self.block_time_ms);
		}
	}
}

/// The Aura slot duration: the genesis-configured target block time.
pub struct SlotDuration<T>(core::marker::PhantomData<T>);

impl<T: Config> Get<u64> for SlotDuration<T> {
	fn get() -> u64 {
		TargetBlockTime::<T>::get()
	}
}

/// The timestamp pallet's minimum period between blocks: half the target block time.
pub struct MinimumPeriod<T>(core::marker::PhantomData<T>);

impl<T: Config> Get<u64> for MinimumPeriod<T> {
	fn get() -> u64 {
		TargetBlockTime::<T>::get() / 2
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use frame_support::{derive_impl, traits::BuildGenesisConfig};
	use sp_runtime::BuildStorage;

	type Block = frame_system::mocking::MockBlock<Test>;

	frame_support::construct_runtime!(
		pub enum Test {
			System: frame_system,
			BlockTime: crate,
		}
	);

	#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
	impl frame_system::Config for Test {
		type Block = Block;
	}

	impl Config for Test {}

	fn ext_with(block_time_ms: u64) -> sp_io::TestExternalities {
		RuntimeGenesisConfig {
			system: Default::default(),
			block_time: GenesisConfig { block_time_ms, _config: Default::default() },
		}
		.build_storage()
		.unwrap()
		.into()
	}

	#[test]
	fn genesis_sets_slot_duration_and_minimum_period() {
		ext_with(2_000).execute_with(|| {
			assert_eq!(SlotDuration::<Test>::get(), 2_000);
			assert_eq!(MinimumPeriod::<Test>::get(), 1_000);
		});
	}

	#[test]
	fn unset_genesis_value_keeps_the_default() {
		ext_with(0).execute_with(|| {
			assert_eq!(SlotDuration::<Test>::get(), DEFAULT_BLOCK_TIME_MS);
			assert_eq!(MinimumPeriod::<Test>::get(), DEFAULT_BLOCK_TIME_MS / 2);
		});
	}

	#[test]
	#[should_panic(expected = "even number")]
	fn odd_block_time_is_rejected_at_genesis() {
		sp_io::TestExternalities::default().execute_with(|| {
			GenesisConfig::<Test> { block_time_ms: 1_001, _config: Default::default() }.build();
		});
	}
}

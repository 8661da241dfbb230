//! Weights of `pallet_connection_chain`.
//!
//! ESTIMATES, NOT YET MEASURED: these figures are counted storage reads and writes (at
//! `RocksDbWeight` cost) plus a conservative 50 µs of computation per call, written by hand
//! until `benchmark pallet` generates this file from `benchmarking.rs`.

#![allow(unused_parens)]
#![allow(unused_imports)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_connection_chain`.
pub trait WeightInfo {
	fn register_chain() -> Weight;
	fn update_chain() -> Weight;
	fn pause_chain() -> Weight;
	fn resume_chain() -> Weight;
	fn set_authorities(a: u32) -> Weight;
	fn retry_instruction() -> Weight;
	fn register_operator() -> Weight;
	fn set_settlement_account() -> Weight;
	fn set_rule() -> Weight;
	fn remove_rule(c: u32) -> Weight;
	fn create_campaign() -> Weight;
	fn end_campaign(c: u32) -> Weight;
	fn withdraw_liquidity() -> Weight;
	fn deregister_operator() -> Weight;
	fn request_transfer(c: u32) -> Weight;
	fn cancel_transfer() -> Weight;
	fn report_deposit() -> Weight;
	fn report_outcome() -> Weight;
	fn authorize_report() -> Weight;
	fn process_deadlines(n: u32, q: u32) -> Weight;
}

const BASE: u64 = 50_000_000;

/// Weights for `pallet_connection_chain` using the Substrate node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);

fn estimate<T: frame_system::Config>(reads: u64, writes: u64) -> Weight {
	Weight::from_parts(BASE, 4_000).saturating_add(T::DbWeight::get().reads_writes(reads, writes))
}

impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register_chain() -> Weight {
		estimate::<T>(1, 2)
	}
	fn update_chain() -> Weight {
		estimate::<T>(2, 1)
	}
	fn pause_chain() -> Weight {
		estimate::<T>(1, 1)
	}
	fn resume_chain() -> Weight {
		estimate::<T>(1, 1)
	}
	fn set_authorities(a: u32) -> Weight {
		estimate::<T>(0, 2).saturating_add(Weight::from_parts(1_000_000 * a as u64, 32 * a as u64))
	}
	fn retry_instruction() -> Weight {
		estimate::<T>(4, 6)
	}
	fn register_operator() -> Weight {
		estimate::<T>(3, 3)
	}
	fn set_settlement_account() -> Weight {
		estimate::<T>(2, 1)
	}
	fn set_rule() -> Weight {
		estimate::<T>(5, 4)
	}
	fn remove_rule(c: u32) -> Weight {
		estimate::<T>(3, 4).saturating_add(T::DbWeight::get().writes(c as u64))
	}
	fn create_campaign() -> Weight {
		estimate::<T>(3, 3)
	}
	fn end_campaign(c: u32) -> Weight {
		estimate::<T>(3, 2).saturating_add(Weight::from_parts(100_000 * c as u64, 4 * c as u64))
	}
	fn withdraw_liquidity() -> Weight {
		estimate::<T>(6, 6)
	}
	fn deregister_operator() -> Weight {
		estimate::<T>(6, 6)
	}
	fn request_transfer(c: u32) -> Weight {
		estimate::<T>(14, 12).saturating_add(T::DbWeight::get().reads(c as u64))
	}
	fn cancel_transfer() -> Weight {
		estimate::<T>(6, 8)
	}
	fn report_deposit() -> Weight {
		estimate::<T>(16, 16)
	}
	fn report_outcome() -> Weight {
		estimate::<T>(16, 16)
	}
	fn authorize_report() -> Weight {
		estimate::<T>(4, 0)
	}
	fn process_deadlines(n: u32, q: u32) -> Weight {
		Weight::from_parts(5_000_000, 0)
			.saturating_add(T::DbWeight::get().reads_writes(1 + q as u64, 1 + q as u64))
			.saturating_add(estimate::<T>(6, 8).saturating_mul(n as u64))
	}
}

// For tests.
impl WeightInfo for () {
	fn register_chain() -> Weight {
		Weight::zero()
	}
	fn update_chain() -> Weight {
		Weight::zero()
	}
	fn pause_chain() -> Weight {
		Weight::zero()
	}
	fn resume_chain() -> Weight {
		Weight::zero()
	}
	fn set_authorities(_a: u32) -> Weight {
		Weight::zero()
	}
	fn retry_instruction() -> Weight {
		Weight::zero()
	}
	fn register_operator() -> Weight {
		Weight::zero()
	}
	fn set_settlement_account() -> Weight {
		Weight::zero()
	}
	fn set_rule() -> Weight {
		Weight::zero()
	}
	fn remove_rule(_c: u32) -> Weight {
		Weight::zero()
	}
	fn create_campaign() -> Weight {
		Weight::zero()
	}
	fn end_campaign(_c: u32) -> Weight {
		Weight::zero()
	}
	fn withdraw_liquidity() -> Weight {
		Weight::zero()
	}
	fn deregister_operator() -> Weight {
		Weight::zero()
	}
	fn request_transfer(_c: u32) -> Weight {
		Weight::zero()
	}
	fn cancel_transfer() -> Weight {
		Weight::zero()
	}
	fn report_deposit() -> Weight {
		Weight::zero()
	}
	fn report_outcome() -> Weight {
		Weight::zero()
	}
	fn authorize_report() -> Weight {
		Weight::zero()
	}
	fn process_deadlines(_n: u32, _q: u32) -> Weight {
		Weight::zero()
	}
}

//! Block authoring that leaves a block's finalization room in its author's window.
//!
//! `sc_basic_authorship` adds transactions until 90 % of the time it is given, then builds the
//! block: the storage root of everything the block wrote, and the header. Aura discards a
//! proposal not ready by the end of the author's window (two thirds of the slot) and the slot
//! passes without a block. A connection-chain block under load writes tens of thousands of keys
//! (thousands of observations), and on a busy machine building it can take longer than the
//! tenth left (docs/benchmarks.md has the lost slots). [`FinalizationReserve`] gives the inner
//! proposer only half of the proposing time, so it stops adding transactions earlier and the
//! rest is the build's. What is left in the pool goes into the next block.

use futures::{future::BoxFuture, FutureExt, TryFutureExt};
use sp_consensus::{Environment, ProposeArgs, Proposer};
use sp_runtime::{traits::Block as BlockT, PerThing, Percent};
use std::time::Duration;

/// The part of the author's proposing time kept for building the block after its
/// transactions: with the inner proposer's own 10 %, transactions are added during the first
/// 45 % and the block has the last 55 % for its root. Under load blocks then end by time before
/// weight: smaller blocks cost less than a lost slot.
pub const FINALIZATION_RESERVE: Percent = Percent::from_percent(50);

/// Wraps a proposer factory so that each of its proposers is given the proposing time less
/// [`FINALIZATION_RESERVE`].
pub struct FinalizationReserve<Factory>(pub Factory);

impl<B: BlockT, Factory: Environment<B>> Environment<B> for FinalizationReserve<Factory> {
	type Proposer = FinalizationReserve<Factory::Proposer>;
	type CreateProposer = BoxFuture<'static, Result<Self::Proposer, Self::Error>>;
	type Error = Factory::Error;

	fn init(&mut self, parent_header: &B::Header) -> Self::CreateProposer {
		self.0.init(parent_header).map_ok(FinalizationReserve).boxed()
	}
}

impl<B: BlockT, Inner: Proposer<B>> Proposer<B> for FinalizationReserve<Inner> {
	type Error = Inner::Error;
	type Proposal = Inner::Proposal;

	fn propose(self, mut args: ProposeArgs<B>) -> Self::Proposal {
		args.max_duration = transaction_time(args.max_duration);
		self.0.propose(args)
	}
}

/// What the inner proposer is given of `proposing_time`.
fn transaction_time(proposing_time: Duration) -> Duration {
	let micros = u64::try_from(proposing_time.as_micros()).unwrap_or(u64::MAX);
	Duration::from_micros(FINALIZATION_RESERVE.left_from_one().mul_floor(micros))
}

#[cfg(test)]
mod tests {
	use super::*;
	use connection_chain_runtime::opaque::Block;
	use sp_runtime::traits::Header as _;
	use std::sync::{Arc, Mutex};

	type Header = <Block as BlockT>::Header;

	/// Records the time each proposal was given and proposes nothing.
	#[derive(Clone, Default)]
	struct RecordingProposer(Arc<Mutex<Vec<Duration>>>);

	impl Environment<Block> for RecordingProposer {
		type Proposer = Self;
		type CreateProposer = futures::future::Ready<Result<Self, sp_consensus::Error>>;
		type Error = sp_consensus::Error;

		fn init(&mut self, _: &Header) -> Self::CreateProposer {
			futures::future::ready(Ok(self.clone()))
		}
	}

	impl Proposer<Block> for RecordingProposer {
		type Error = sp_consensus::Error;
		type Proposal = futures::future::Ready<Result<sp_consensus::Proposal<Block>, Self::Error>>;

		fn propose(self, args: ProposeArgs<Block>) -> Self::Proposal {
			self.0.lock().unwrap().push(args.max_duration);
			futures::future::ready(Err(sp_consensus::Error::StateUnavailable("recorded".into())))
		}
	}

	#[test]
	fn the_inner_proposer_gets_the_proposing_time_less_the_reserve() {
		let recorder = RecordingProposer::default();
		let mut factory = FinalizationReserve(recorder.clone());
		let header = Header::new(
			1,
			Default::default(),
			Default::default(),
			Default::default(),
			Default::default(),
		);
		let proposer = futures::executor::block_on(factory.init(&header)).unwrap();
		let args = ProposeArgs { max_duration: Duration::from_millis(1_306), ..Default::default() };
		let _ = futures::executor::block_on(proposer.propose(args));

		// A 2 s slot's author proposes for 98 % of 4/3 s; the transactions get half of it.
		assert_eq!(*recorder.0.lock().unwrap(), vec![Duration::from_micros(653_000)]);
	}
}

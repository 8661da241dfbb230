//! The off-chain worker: it watches the linked chains and settles the vaults' transfers on them.
//!
//! On every new best block of a validator's node, and again every [`POLL_INTERVAL_MS`] during
//! the block's poll window ([`Config::WorkerPollWindow`]: most of its slot, so that what becomes
//! final meanwhile is reported in time for the next block), for each registered chain with an
//! endpoint configured on that node, the worker:
//!
//! 1. **watches**: reads the chain's blocks that are final (GRANDPA-finalized on a Substrate
//!    chain, `confirmations` deep on an EVM chain) from a cursor kept in the node's persistent
//!    off-chain storage, so a block is read once, and the blocks produced while the node was
//!    down are read after it restarts. It reports what it finds ([`Observation`]): deposits into
//!    the vault, and the vault's own transactions, matched to the open instruction by their
//!    nonce (final, failed, or dead when another transaction took the nonce). Every
//!    [`watch::VAULT_STATE_EVERY`] blocks it reports the vault's balance and nonce.
//! 2. **settles** the vault with this validator's own signer key of that chain, as one of a
//!    threshold of authorities ([`crate::custody`]): on an EVM chain it signs the vault
//!    contract's open batches and reports the signatures, then submits the batches whose
//!    approvals are complete in its turn ([`threshold`]); on a Substrate chain it opens and
//!    approves the multisig vault's batches there ([`multisig`]). A vault without custody (a
//!    one-validator chain's: `pallet-multisig` needs two signatories) is that validator's own
//!    signer account, whose transactions pay one instruction each under the account's nonce
//!    ([`settle`]). What it sends is recorded in persistent storage first. A pass's transactions go out together, in JSON-RPC batches
//!    ([`json_rpc::MAX_BATCH_CALLS`] calls per request).
//!
//! **Exactly once.** The pallet binds each instruction to one vault nonce (a batch) when it
//! creates it. The contract executes each nonce once; a multisig batch is one call that carries
//! its nonce, approved only at its first attested opening; an account's nonce is used once. A payout is refunded only once its
//! nonce is proven taken by another transaction ([`DeadProof::NonceConsumed`]).
//!
//! Reports are fee-less authorized transactions signed with the node's attestation key. What a
//! pass observes on a chain goes out together, up to [`Config::MaxObservationsPerReport`]
//! observations per report: each linked block's as soon as the block is read, and what settling
//! found once the vault is settled. One authority reports an observation once (the pool and the
//! pallet refuse a second vote), and an observation not yet counted on chain is sent again after
//! [`reports::REPORT_RETRY_AFTER`] blocks.
//!
//! A chain's endpoint is node-local, never on chain: the node writes it into persistent
//! off-chain storage under [`store::endpoint_key`] (`--linked-rpc <chain>=<url>`, or the
//! `offchain_localStorageSet` RPC). A missing endpoint is logged; an unreachable one is retried
//! with a growing back-off; neither stops block production.
//!
//! The rooms: this module runs the passes; [`watch`] turns final blocks into observations;
//! [`threshold`] and [`multisig`] settle the vaults the authorities hold together, and
//! [`settle`] a vault that is one validator's account; [`reports`] signs and resends what is
//! observed, [`store`] is every key the worker keeps, and [`client`] is what it needs of a
//! linked chain, implemented once per kind ([`evm`], [`substrate`]) over [`json_rpc`].

pub mod client;
pub mod evm;
pub mod evm_contract;
pub mod json_rpc;
pub mod multisig;
pub mod reports;
pub mod settle;
pub mod store;
pub mod substrate;
pub mod threshold;
pub mod watch;

pub use client::{LinkedChainClient, SubmitError, VaultKeyClient, WorkerError};
pub use reports::{Reporter, Reports, REPORT_RETRY_AFTER};
pub use store::endpoint_key;
pub use watch::observations_from_scan;

use crate::{pallet::*, types::*, LOG_TARGET};
use alloc::{collections::BTreeSet, vec::Vec};
use frame_support::traits::{Get, UnixTime};
use frame_system::pallet_prelude::BlockNumberFor;
use json_rpc::Endpoint;
use sp_runtime::{offchain::Duration, traits::UniqueSaturatedInto};

/// Time between two passes of a run over the linked chains.
pub const POLL_INTERVAL_MS: u64 = 250;
/// Longest back-off after failing calls to a chain's endpoint, in connection-chain blocks.
pub const MAX_BACKOFF_BLOCKS: u64 = 64;

/// What one run keeps of a chain between its passes (the chain state is the run's block's).
struct ChainRun<T: Config> {
	/// The chain's open instructions, read at the first pass that works on the chain.
	open: Option<Vec<(InstructionId, InstructionOf<T>)>>,
	/// Open instructions whose transaction a pass found recorded as included. Nothing is left
	/// to send or look up for them, so later passes skip reading their records.
	included: BTreeSet<InstructionId>,
}

impl<T: Config> Default for ChainRun<T> {
	fn default() -> Self {
		Self { open: None, included: BTreeSet::new() }
	}
}

impl<T: Config> Pallet<T> {
	/// The worker's entry point, called for each new best block: a pass over every linked
	/// chain, repeated every [`POLL_INTERVAL_MS`] until the block's poll window
	/// ([`Config::WorkerPollWindow`]) is over.
	pub fn run_offchain_worker(now: BlockNumberFor<T>) {
		let now: u64 = now.unique_saturated_into();
		let block_time: u64 = T::UnixTime::now().as_millis().unique_saturated_into();
		// The window runs from the block's timestamp, or from now if this node's clock is
		// behind the author's: never longer than the window.
		let started = sp_io::offchain::timestamp().unix_millis();
		let poll_until = block_time.min(started).saturating_add(T::WorkerPollWindow::get());
		let mut reports = Reports::<T>::load(now);
		reports.resend_stale();
		// The chain state is this block's for the whole run: the chains and their open
		// instructions are read once (the instructions at the first pass that works on them).
		let mut chains: Vec<_> = Chains::<T>::iter()
			.map(|(chain_id, chain)| (chain_id, chain, ChainRun::default()))
			.collect();
		loop {
			for (chain_id, chain, run) in &mut chains {
				Self::pass_on_chain(*chain_id, chain, run, &mut reports, now);
				// What settling found, or what was queued before a failure.
				reports.flush();
			}
			reports.save();
			let next_pass =
				sp_io::offchain::timestamp().add(Duration::from_millis(POLL_INTERVAL_MS));
			if next_pass.unix_millis() >= poll_until {
				break;
			}
			sp_io::offchain::sleep_until(next_pass);
		}
	}

	/// One pass on one chain, unless it has no endpoint, is backing off after failures, or
	/// another run is on it. `run` keeps what the run learnt of the chain between passes.
	fn pass_on_chain(
		chain_id: ChainId,
		chain: &LinkedChain<BlockNumberFor<T>>,
		run: &mut ChainRun<T>,
		reports: &mut Reports<T>,
		now: u64,
	) {
		let Some(url) = store::endpoint(chain_id) else {
			if now % 100 == 1 {
				log::warn!(target: LOG_TARGET, "no JSON-RPC endpoint configured for linked chain {chain_id}; set it with --linked-rpc {chain_id}=<url>");
			}
			return;
		};
		let backoff = store::backoff(chain_id);
		if now < backoff.until {
			return;
		}
		let _ = store::with_chain_lock(chain_id, || {
			// A run that starts late (its node busy) can come after the run of a newer block,
			// which may have sent transactions for instructions this run's state does not have
			// yet. It would scan their final blocks without matching them (the cursor moving
			// past their outcomes) and forget their records as closed. So a chain is worked on
			// only from a block at least as new as the newest that did, checked and set under
			// the lock.
			if store::newest_run(chain_id).is_some_and(|newest| now < newest) {
				return;
			}
			store::set_newest_run(chain_id, now);
			let result = Self::work_on_chain(chain_id, chain, Endpoint { url }, run, reports, now);
			Self::note_result(chain_id, backoff, result, now);
		});
	}

	/// A pass that failed backs the chain off for longer each time, up to
	/// [`MAX_BACKOFF_BLOCKS`]; one that worked ends the back-off.
	fn note_result(
		chain_id: ChainId,
		backoff: store::Backoff,
		result: Result<(), WorkerError>,
		now: u64,
	) {
		match result {
			Ok(()) if backoff.failures > 0 => store::clear_backoff(chain_id),
			Ok(()) => {}
			Err(error) => {
				let failures = backoff.failures.saturating_add(1);
				let wait = 1u64.checked_shl(failures.min(6)).unwrap_or(MAX_BACKOFF_BLOCKS);
				let wait = wait.min(MAX_BACKOFF_BLOCKS);
				log::warn!(target: LOG_TARGET, "linked chain {chain_id}: {error:?}; trying again in {wait} blocks");
				let until = now.saturating_add(wait);
				store::set_backoff(chain_id, &store::Backoff { failures, until });
			}
		}
	}

	/// One pass on one chain through the client of its kind, at connection-chain block `now`.
	fn work_on_chain(
		chain_id: ChainId,
		chain: &LinkedChain<BlockNumberFor<T>>,
		endpoint: Endpoint,
		run: &mut ChainRun<T>,
		reports: &mut Reports<T>,
		now: u64,
	) -> Result<(), WorkerError> {
		match chain.kind {
			ChainKind::Evm if Self::contract_custody(chain_id).is_some() => {
				let client = evm::EvmClient::new(endpoint, chain, true)
					.ok_or(WorkerError::Codec("the vault is not an EVM address"))?;
				Self::watch_then_settle(chain_id, &client, run, reports, |reports, open, _, _| {
					Self::settle_by_threshold(chain_id, &client, reports, open, now)
				})
			}
			ChainKind::Evm => {
				let client = evm::EvmClient::new(endpoint, chain, false)
					.ok_or(WorkerError::Codec("the vault is not an EVM address"))?;
				Self::watch_then_settle_by_vault_key(chain_id, &client, run, reports)
			}
			ChainKind::Substrate => {
				let client = substrate::SubstrateClient::<T::SubstrateCodec>::new(endpoint, chain)
					.ok_or(WorkerError::Codec("the vault is not a Substrate account"))?;
				if Self::multisig_custody(chain_id).is_none() {
					// A vault that is one account: settled by the node whose signer key it is.
					return Self::watch_then_settle_by_vault_key(chain_id, &client, run, reports);
				}
				Self::watch_then_settle(
					chain_id,
					&client,
					run,
					reports,
					|reports, open, _, head| {
						Self::settle_by_multisig(chain_id, &client, reports, open, now, head)
					},
				)
			}
		}
	}

	/// Watches the chain's final blocks, then settles its vault account with the vault's key.
	fn watch_then_settle_by_vault_key<C: VaultKeyClient>(
		chain_id: ChainId,
		client: &C,
		run: &mut ChainRun<T>,
		reports: &mut Reports<T>,
	) -> Result<(), WorkerError> {
		Self::watch_then_settle(chain_id, client, run, reports, |reports, open, included, head| {
			Self::settle_by_vault_key(chain_id, client, reports, open, included, head)
		})
	}

	/// Watches the chain's final blocks, then settles its vault with `settle`, given the open
	/// instructions, those found included, and the final head's number.
	fn watch_then_settle<C: LinkedChainClient>(
		chain_id: ChainId,
		client: &C,
		run: &mut ChainRun<T>,
		reports: &mut Reports<T>,
		settle: impl FnOnce(
			&mut Reports<T>,
			&[(InstructionId, InstructionOf<T>)],
			&mut BTreeSet<InstructionId>,
			u64,
		) -> Result<(), WorkerError>,
	) -> Result<(), WorkerError> {
		let ChainRun { open, included } = run;
		let open = open.get_or_insert_with(|| Self::open_instructions(chain_id));
		let head = client.final_head()?;
		Self::watch(chain_id, client, &head, open, reports)?;
		// Reported before any payout is signed or approved, as each block's deposits were.
		reports.flush();
		settle(reports, open, included, head.number)
	}
}

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
//!    [`VAULT_STATE_EVERY`] blocks it reports the vault's balance and nonce.
//! 2. **settles**, if the node's keystore holds the vault key of that chain: for each open
//!    instruction whose nonce is still free on the chain, it signs the vault's transfer with
//!    the instruction's nonce (or, once the pallet asked to cancel it, a transaction that
//!    moves nothing, to take the nonce), records it in persistent storage, then submits it, and
//!    resends it while it is valid and unconfirmed. A pass's transactions go out together, in
//!    JSON-RPC batches ([`json_rpc::MAX_BATCH_CALLS`] calls per request).
//!
//! **Exactly once.** The pallet binds each instruction to one vault nonce when it creates it.
//! Every transaction a worker signs for the instruction uses that nonce, so at most one of
//! them can ever land, however often it is resent, whether the node restarted in between, and
//! however many validators hold the vault key. A payout is refunded only once its nonce is
//! proven taken by another transaction ([`DeadProof::NonceConsumed`]).
//!
//! Reports are fee-less authorized transactions signed with the node's attestation key. What a
//! pass observes on a chain goes out together, up to [`Config::MaxObservationsPerReport`]
//! observations per report: each linked block's as soon as the block is read, and what settling
//! found once the vault is settled. One authority reports an observation once (the pool and the
//! pallet refuse a second vote), and an observation not yet counted on chain is sent again after
//! [`REPORT_RETRY_AFTER`] blocks.
//!
//! A chain's endpoint is node-local, never on chain: the node writes it into persistent
//! off-chain storage under [`endpoint_key`] (`--linked-rpc <chain>=<url>`, or the
//! `offchain_localStorageSet` RPC). A missing endpoint is logged; an unreachable one is retried
//! with a growing back-off; neither stops block production.

pub mod evm;
pub mod json_rpc;
pub mod substrate;

use crate::{attestation, pallet::*, types::*, LOG_TARGET};
use alloc::{
	collections::{BTreeMap, BTreeSet},
	format,
	vec::Vec,
};
use codec::{Decode, Encode};
use frame_support::{
	traits::{Get, UnixTime},
	BoundedVec,
};
use frame_system::{offchain::SubmitTransaction, pallet_prelude::BlockNumberFor};
use json_rpc::{Endpoint, RpcError};
use sp_core::H256;
use sp_runtime::{
	offchain::{
		storage::StorageValueRef,
		storage_lock::{StorageLock, Time},
		Duration,
	},
	traits::UniqueSaturatedInto,
	RuntimeAppPublic,
};

/// Prefix of every key the worker keeps in the node's persistent off-chain storage.
pub const STORAGE_PREFIX: &[u8] = b"connection-chain/";
/// Most linked blocks one pass reads per chain; a longer backlog is caught up over later passes.
pub const MAX_BLOCKS_PER_PASS: u64 = 16;
/// The vault's state is reported at every linked block whose number is a multiple of this.
pub const VAULT_STATE_EVERY: u64 = 32;
/// Connection-chain blocks after which a report not yet counted on chain is sent again. Reports
/// go before other transactions ([`Config::ReportPriority`]); a lost one held its transfers
/// this long (20,000 at once lost a report of 24 outcomes once, then 10 blocks). Sending again
/// one that still waits in the pool costs its validation: the pool refuses it.
pub const REPORT_RETRY_AFTER: u64 = 4;
/// Most observations waiting to be counted that the worker keeps track of: a burst of 20,000
/// transfers at once puts several thousand in flight, and an observation pushed out of this
/// list is never sent again if its report is lost from the pool.
pub const MAX_PENDING_REPORTS: usize = 32_768;
/// Time between two passes of a run over the linked chains.
pub const POLL_INTERVAL_MS: u64 = 250;
/// Linked-chain blocks after which a transaction not yet included is broadcast again.
pub const REBROADCAST_AFTER: u64 = 8;
/// An inclusion this many linked blocks or fewer past the final head is not reported: the
/// watcher reports the transaction's outcome once those blocks are final, within seconds on
/// the chains this connects, and the report would add a connection-chain observation per
/// vault transaction for a step the trail shows moments later. Beyond it (a chain whose
/// finality lags far) the inclusion is reported, so the trail shows where the transaction is.
pub const FINALITY_NEAR_BLOCKS: u64 = 8;
/// Longest back-off after failing calls to a chain's endpoint, in connection-chain blocks.
pub const MAX_BACKOFF_BLOCKS: u64 = 64;
/// Longest time one pass may hold a chain's lock.
pub const LOCK_DEADLINE_MS: u64 = 60_000;

/// The key of a chain's JSON-RPC endpoint (its value: the URL as UTF-8 bytes).
pub fn endpoint_key(chain: ChainId) -> Vec<u8> {
	storage_key(&format!("endpoint/{chain}"))
}

fn storage_key(name: &str) -> Vec<u8> {
	[STORAGE_PREFIX, name.as_bytes()].concat()
}

/// The key of what the worker recorded about the transaction of instruction `id`.
fn sent_record_key(id: InstructionId) -> Vec<u8> {
	storage_key(&format!("sent/{id}"))
}

/// The value kept in `cell`, computed by `init` the first time it is asked for (a failure leaves
/// the cell empty). The clients keep what every transaction of one pass shares this way.
fn read_once<T: Clone>(
	cell: &core::cell::OnceCell<T>,
	init: impl FnOnce() -> Result<T, WorkerError>,
) -> Result<T, WorkerError> {
	if let Some(value) = cell.get() {
		return Ok(value.clone());
	}
	let value = init()?;
	let _ = cell.set(value.clone());
	Ok(value)
}

/// A deposit into the vault, as read from a final block.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SeenDeposit {
	/// The transaction and its block.
	pub tx: LinkedTx,
	/// Who sent it.
	pub from: LinkedAccount,
	/// How much reached the vault.
	pub amount: LinkedAmount,
	/// The memo it carries ([`crate::memo`]); empty if none.
	pub memo: Vec<u8>,
}

/// A transaction signed by the vault, as read from a final block.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VaultTx {
	/// The transaction and its block.
	pub tx: LinkedTx,
	/// The vault nonce it took.
	pub nonce: u64,
	/// What it paid and to whom, if it was a plain transfer of the chain's asset.
	pub transfer: Option<(LinkedAccount, LinkedAmount)>,
	/// Whether it succeeded.
	pub outcome: Result<(), FailureReason>,
	/// What it cost the vault in fees.
	pub fee: LinkedAmount,
}

/// What one final block holds that concerns the vault.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct BlockScan {
	/// The block.
	pub block: LinkedBlock,
	/// Deposits into the vault.
	pub deposits: Vec<SeenDeposit>,
	/// Transactions of the vault.
	pub vault_txs: Vec<VaultTx>,
}

/// A vault transaction signed by the worker, ready to submit.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct SignedTx {
	/// Its hash on the linked chain.
	pub hash: H256,
	/// The encoded transaction.
	pub raw: Vec<u8>,
	/// Last linked block it can be included in (a mortal Substrate extrinsic); `None` if it
	/// stays valid until its nonce is taken.
	pub valid_until: Option<u64>,
}

/// Why submitting a transaction failed.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum SubmitError {
	/// The vault cannot pay the transaction's fee.
	CannotPayFees,
	/// Any other failure.
	Rpc(RpcError),
}

/// Why a run on a chain stopped early.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum WorkerError {
	/// A call to the chain's endpoint failed.
	Rpc(RpcError),
	/// The chain's data could not be read or the transaction not be built.
	Codec(&'static str),
	/// The keystore did not sign.
	Signing,
}

impl From<RpcError> for WorkerError {
	fn from(error: RpcError) -> Self {
		WorkerError::Rpc(error)
	}
}

/// What the worker needs from a linked chain of one kind: watch it, and build, sign, submit and
/// check the vault's transactions on it. One implementation per [`ChainKind`].
pub trait LinkedChainClient {
	/// The newest block that counts as final.
	fn final_head(&self) -> Result<LinkedBlock, WorkerError>;
	/// The block at `number`.
	fn block_at(&self, number: u64) -> Result<LinkedBlock, WorkerError>;
	/// What the final block `number` holds that concerns the vault.
	fn scan(&self, number: u64) -> Result<BlockScan, WorkerError>;
	/// The vault's balance and next nonce at block `at`.
	fn vault_state(&self, at: &LinkedBlock) -> Result<VaultSnapshot, WorkerError>;
	/// The vault's next nonce as of the newest block (final or not), and that block's number.
	fn vault_nonce(&self) -> Result<(u64, u64), WorkerError>;
	/// Whether this node's keystore holds the vault key.
	fn can_sign(&self) -> bool;
	/// Builds and signs the vault's transaction with `nonce`: a transfer of `amount` to
	/// `recipient`, or, without one, a transaction that moves nothing and only takes the nonce.
	fn sign(
		&self,
		transfer: Option<(LinkedAccount, LinkedAmount)>,
		nonce: u64,
	) -> Result<SignedTx, WorkerError>;
	/// Submits signed transactions (in JSON-RPC batches where the endpoint takes them); one
	/// outcome per transaction, in their order. Submitting one the chain already knows is not
	/// an error.
	fn submit(&self, txs: &[&SignedTx]) -> Vec<Result<(), SubmitError>>;
	/// The block each transaction is in, if it is in one (final or not); one answer per hash,
	/// in their order.
	fn inclusions(&self, tx_hashes: &[H256]) -> Vec<Result<Option<LinkedTx>, WorkerError>>;
}

/// The observations a final block gives: its deposits, and the outcome of each open
/// instruction whose nonce a vault transaction in it took.
pub fn observations_from_scan<AccountId: Decode + Clone, BlockNumber>(
	chain: ChainId,
	scan: &BlockScan,
	open: &[(InstructionId, OutboundInstruction<AccountId, BlockNumber>)],
) -> Vec<Observation<AccountId>> {
	let deposits = scan.deposits.iter().map(|deposit| Observation::Deposit {
		chain,
		tx: deposit.tx,
		from: deposit.from,
		amount: deposit.amount,
		reference: crate::memo::parse_memo(&deposit.memo),
	});
	// Indexed once: a block of payouts holds thousands of vault transactions, and as many
	// instructions may be open. Nonces are assigned once each; were one shared, the first
	// instruction (`open` is in id order) keeps it.
	let mut open_by_nonce = BTreeMap::new();
	for (id, instruction) in open {
		open_by_nonce.entry(instruction.nonce).or_insert((*id, instruction));
	}
	let outcomes = scan.vault_txs.iter().filter_map(|vault_tx| {
		let &(instruction_id, instruction) = open_by_nonce.get(&vault_tx.nonce)?;
		let fee = vault_tx.fee;
		let pays_instruction =
			vault_tx.transfer == Some((instruction.recipient, instruction.amount));
		Some(match (&vault_tx.outcome, pays_instruction) {
			(Ok(()), true) => {
				Observation::OutboundFinal { instruction: instruction_id, tx: vault_tx.tx, fee }
			}
			(Err(reason), true) => Observation::OutboundFailed {
				instruction: instruction_id,
				tx: vault_tx.tx,
				reason: reason.clone(),
				fee,
			},
			// Another transaction (the worker's nonce taker, or one made outside the
			// connection chain) took the nonce: the instruction can never land.
			(_, false) => Observation::OutboundDead {
				instruction: instruction_id,
				proof: DeadProof::NonceConsumed { nonce: vault_tx.nonce, by_tx: vault_tx.tx.hash },
				fee,
			},
		})
	});
	deposits.chain(outcomes).collect()
}

/// What the worker recorded about a transaction it signed for an instruction.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct SentRecord {
	/// The transaction.
	pub tx: SignedTx,
	/// Whether it is the nonce taker (sent after the pallet asked to cancel the instruction).
	pub takes_nonce_only: bool,
	/// The newest linked block when it was last broadcast; `None` until a broadcast succeeded
	/// (the node stopped, or the endpoint failed, between recording and sending it).
	pub broadcast_at: Option<u64>,
	/// Whether its inclusion in a block was found (and reported, if far from final).
	pub included: bool,
}

/// A report sent and not yet seen counted on chain.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
struct PendingReport<AccountId> {
	observation: Observation<AccountId>,
	sent_at: u64,
}

/// Back-off of a chain whose endpoint failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode)]
struct Backoff {
	failures: u32,
	until: u64,
}

/// What one run keeps of a chain between its passes (the chain state is the run's block's).
struct ChainRun<T: Config> {
	/// The chain's open instructions, read at the first pass that works on the chain.
	open: Option<Vec<(InstructionId, InstructionOf<T>)>>,
	/// Open instructions whose transaction a pass found recorded as included. Nothing is left
	/// to send or look up for them, so later passes skip reading their records: in a burst
	/// there are thousands, and a run makes several passes a second.
	included: BTreeSet<InstructionId>,
}

impl<T: Config> Default for ChainRun<T> {
	fn default() -> Self {
		Self { open: None, included: BTreeSet::new() }
	}
}

/// This node's attestation key, if it is an authority's.
pub struct Reporter<T: Config> {
	index: u32,
	key: T::AuthorityId,
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
		let Some(url) = Self::endpoint(chain_id) else {
			if now % 100 == 1 {
				log::warn!(target: LOG_TARGET, "no JSON-RPC endpoint configured for linked chain {chain_id}; set it with --linked-rpc {chain_id}=<url>");
			}
			return;
		};
		let backoff_key = storage_key(&format!("backoff/{chain_id}"));
		let mut backoff_ref = StorageValueRef::persistent(&backoff_key);
		let backoff = backoff_ref.get::<Backoff>().ok().flatten().unwrap_or_default();
		if now < backoff.until {
			return;
		}
		let lock_key = storage_key(&format!("lock/{chain_id}"));
		let mut lock =
			StorageLock::<Time>::with_deadline(&lock_key, Duration::from_millis(LOCK_DEADLINE_MS));
		let Ok(_guard) = lock.try_lock() else { return };
		// A run that starts late (its node busy) can come after the run of a newer block, which
		// may have sent transactions for instructions this run's state does not have yet. It
		// would scan their final blocks without matching them (the cursor moving past their
		// outcomes) and forget their records as closed. So a chain is worked on only from a
		// block at least as new as the newest that did, checked and set under the lock.
		let newest_key = storage_key(&format!("newest-run/{chain_id}"));
		let newest_ref = StorageValueRef::persistent(&newest_key);
		if newest_ref.get::<u64>().ok().flatten().is_some_and(|newest| now < newest) {
			return;
		}
		newest_ref.set(&now);
		let ChainRun { open, included } = run;
		let open = open.get_or_insert_with(|| Self::open_instructions(chain_id));
		let endpoint = Endpoint { url };
		let result = match chain.kind {
			ChainKind::Evm => match evm::EvmClient::new(endpoint, chain) {
				Some(client) => Self::work_on_chain(chain_id, &client, open, included, reports),
				None => Err(WorkerError::Codec("the vault is not an EVM address")),
			},
			ChainKind::Substrate => {
				match substrate::SubstrateClient::<T::SubstrateCodec>::new(endpoint, chain) {
					Some(client) => Self::work_on_chain(chain_id, &client, open, included, reports),
					None => Err(WorkerError::Codec("the vault is not a Substrate account")),
				}
			}
		};
		match result {
			Ok(()) if backoff.failures > 0 => backoff_ref.clear(),
			Ok(()) => {}
			Err(error) => {
				let failures = backoff.failures.saturating_add(1);
				let wait = 1u64.checked_shl(failures.min(6)).unwrap_or(MAX_BACKOFF_BLOCKS);
				let wait = wait.min(MAX_BACKOFF_BLOCKS);
				log::warn!(target: LOG_TARGET, "linked chain {chain_id}: {error:?}; trying again in {wait} blocks");
				backoff_ref.set(&Backoff { failures, until: now.saturating_add(wait) });
			}
		}
	}

	/// The JSON-RPC URL of a chain, as this node configured it.
	pub fn endpoint(chain: ChainId) -> Option<alloc::string::String> {
		let raw = sp_io::offchain::local_storage_get(
			sp_core::offchain::StorageKind::PERSISTENT,
			&endpoint_key(chain),
		)?;
		alloc::string::String::from_utf8(raw).ok().filter(|url| !url.is_empty())
	}

	/// One pass on one chain: watch, then settle (`included` as [`ChainRun::included`]).
	fn work_on_chain<C: LinkedChainClient>(
		chain_id: ChainId,
		client: &C,
		open: &[(InstructionId, InstructionOf<T>)],
		included: &mut BTreeSet<InstructionId>,
		reports: &mut Reports<T>,
	) -> Result<(), WorkerError> {
		let head = client.final_head()?;

		// Watch: the final blocks from the cursor on.
		let cursor_key = storage_key(&format!("cursor/{chain_id}"));
		let cursor_ref = StorageValueRef::persistent(&cursor_key);
		// A node that never watched this chain starts at its final head.
		let mut next = cursor_ref.get::<u64>().ok().flatten().unwrap_or(head.number);
		let last = head.number.min(next.saturating_add(MAX_BLOCKS_PER_PASS - 1));
		while next <= last {
			let scan = client.scan(next)?;
			if reports.can_report() {
				for observation in observations_from_scan(chain_id, &scan, open) {
					reports.send(observation);
				}
			}
			// Each block's observations go out as soon as it is read: a pass catching up on a
			// backlog (anvil blocks of 1,428 payouts each) held them all until its last block,
			// and the connection chain's blocks stayed empty meanwhile.
			reports.flush();
			// The block's reports are kept for retrying before the cursor moves past it.
			reports.save();
			next = next.saturating_add(1);
			cursor_ref.set(&next);
		}

		// The vault's state at the last checkpoint read.
		let last_read = next.saturating_sub(1).min(head.number);
		let checkpoint = last_read / VAULT_STATE_EVERY * VAULT_STATE_EVERY;
		let reported = ObservedVaultState::<T>::get(chain_id).map(|s| s.at.number);
		if reports.can_report() && checkpoint > 0 && reported.is_none_or(|n| n < checkpoint) {
			let at = client.block_at(checkpoint)?;
			let snapshot = client.vault_state(&at)?;
			reports.send(Observation::VaultState { chain: chain_id, snapshot });
		}
		// Reported before any payout is signed, as each block's deposits were.
		reports.flush();

		if client.can_sign() {
			Self::settle(chain_id, client, reports, open, included, head.number)?;
		}
		Ok(())
	}

	/// Signs, records and submits the vault's transaction of each open instruction whose nonce
	/// is still free, and resends those not yet included; then looks up where the worker's
	/// transactions whose nonce is taken were included, and reports those whose block is far
	/// from the final head `final_head` ([`FINALITY_NEAR_BLOCKS`]). `included` holds the
	/// instructions this run already found recorded as included, whose records it skips.
	fn settle<C: LinkedChainClient>(
		chain_id: ChainId,
		client: &C,
		reports: &mut Reports<T>,
		open: &[(InstructionId, InstructionOf<T>)],
		included: &mut BTreeSet<InstructionId>,
		final_head: u64,
	) -> Result<(), WorkerError> {
		Self::forget_closed_records(chain_id, open);
		let pending: Vec<_> = open
			.iter()
			.filter(|(id, instruction)| {
				instruction.status == OutboundStatus::Pending && !included.contains(id)
			})
			.map(|(id, instruction)| {
				let record_key = sent_record_key(*id);
				let record =
					StorageValueRef::persistent(&record_key).get::<SentRecord>().ok().flatten();
				(*id, instruction, record_key, record)
			})
			.collect();
		let found_included =
			|record: &Option<SentRecord>| record.as_ref().is_some_and(|record| record.included);
		included.extend(
			pending.iter().filter(|(.., record)| found_included(record)).map(|(id, ..)| *id),
		);
		// Nothing to send or look up when every pending instruction's transaction was found
		// in a block: the watcher reports the rest once that block is final.
		if pending.iter().all(|(.., record)| found_included(record)) {
			return Ok(());
		}
		let (free_nonce, newest) = client.vault_nonce()?;
		// Sent first, looked up after: a payout waiting to be sent matters more than telling
		// where an earlier one is.
		let mut taken = Vec::new();
		let mut to_send = Vec::new();
		let mut recorded = Vec::new();
		// A signing failure stops the signing, not the sending of what is already signed.
		let mut failure = None;
		for (id, instruction, record_key, record) in pending {
			if instruction.nonce < free_nonce {
				// Taken: the watcher reports the outcome once the block is final.
				if let Some(record) = record {
					taken.push((id, record_key, record));
				}
				continue;
			}
			let takes_nonce_only = instruction.cancel_requested;
			let reusable = record.filter(|record| {
				record.takes_nonce_only == takes_nonce_only
					&& record.tx.valid_until.is_none_or(|until| newest <= until)
			});
			let broadcast_lately = |record: &SentRecord| {
				record.broadcast_at.is_some_and(|at| newest < at.saturating_add(REBROADCAST_AFTER))
			};
			let record = match reusable {
				Some(record) if broadcast_lately(&record) => continue,
				Some(record) => record,
				None => {
					let transfer =
						(!takes_nonce_only).then_some((instruction.recipient, instruction.amount));
					let tx = match client.sign(transfer, instruction.nonce) {
						Ok(tx) => tx,
						Err(error) => {
							failure = Some(error);
							break;
						}
					};
					let record =
						SentRecord { tx, takes_nonce_only, broadcast_at: None, included: false };
					// Recorded before it is sent: if the node stops in between, the next run
					// sends this very transaction, never a second one.
					StorageValueRef::persistent(&record_key).set(&record);
					recorded.push(id);
					record
				}
			};
			to_send.push((id, instruction.nonce, record_key, record));
		}
		// Listed for cleanup once per pass, not once per record: the list holds every record
		// of the chain, and rewriting it per record made a pass of n payouts copy it n times.
		// A node stopped before this line leaves those records unlisted (never cleaned up);
		// their transactions are still sent by the next run.
		Self::remember_records(chain_id, &recorded);
		let txs: Vec<&SignedTx> = to_send.iter().map(|(.., record)| &record.tx).collect();
		let outcomes = client.submit(&txs);
		for ((id, nonce, record_key, record), outcome) in to_send.into_iter().zip(outcomes) {
			match outcome {
				Ok(()) => {
					log::info!(target: LOG_TARGET, "linked chain {chain_id}: sent instruction {id} (nonce {nonce}) as {:?}", record.tx.hash);
					StorageValueRef::persistent(&record_key)
						.set(&SentRecord { broadcast_at: Some(newest), ..record });
				}
				Err(SubmitError::CannotPayFees) => {
					log::error!(target: LOG_TARGET, "linked chain {chain_id}: the vault cannot pay the fee of instruction {id}; top it up");
					reports.send(Observation::VaultCannotPayFees { instruction: id });
				}
				Err(SubmitError::Rpc(error)) => {
					failure.get_or_insert(WorkerError::Rpc(error));
				}
			}
		}
		if let Some(error) = failure {
			return Err(error);
		}
		if !reports.can_report() {
			return Ok(());
		}
		// Looked up once: after that only the final block matters, and the watcher reads it.
		taken.retain(|(.., record)| !record.takes_nonce_only && !record.included);
		let hashes: Vec<H256> = taken.iter().map(|(.., record)| record.tx.hash).collect();
		for ((id, record_key, record), inclusion) in
			taken.into_iter().zip(client.inclusions(&hashes))
		{
			if let Some(tx) = inclusion? {
				if tx.block.number > final_head.saturating_add(FINALITY_NEAR_BLOCKS) {
					reports.send(Observation::OutboundIncluded { instruction: id, tx });
				}
				StorageValueRef::persistent(&record_key)
					.set(&SentRecord { included: true, ..record });
				included.insert(id);
			}
		}
		Ok(())
	}

	/// The open instructions of a chain, in id order.
	pub fn open_instructions(chain: ChainId) -> Vec<(InstructionId, InstructionOf<T>)> {
		let mut open: Vec<_> = PendingOutbound::<T>::iter_key_prefix(chain)
			.filter_map(|id| Outbound::<T>::get(id).map(|instruction| (id, instruction)))
			.collect();
		open.sort_by_key(|(id, _)| *id);
		open
	}

	fn records_key(chain: ChainId) -> Vec<u8> {
		storage_key(&format!("sent-ids/{chain}"))
	}

	/// Adds `new` to the ids of the chain's instructions that have a record.
	fn remember_records(chain: ChainId, new: &[InstructionId]) {
		if new.is_empty() {
			return;
		}
		let key = Self::records_key(chain);
		let ids_ref = StorageValueRef::persistent(&key);
		let mut ids = ids_ref.get::<Vec<InstructionId>>().ok().flatten().unwrap_or_default();
		let known: BTreeSet<InstructionId> = ids.iter().copied().collect();
		ids.extend(new.iter().filter(|id| !known.contains(id)));
		ids_ref.set(&ids);
	}

	/// Drops the records of instructions that are no longer open (`open` is in id order).
	fn forget_closed_records(chain: ChainId, open: &[(InstructionId, InstructionOf<T>)]) {
		let key = Self::records_key(chain);
		let ids_ref = StorageValueRef::persistent(&key);
		let ids = ids_ref.get::<Vec<InstructionId>>().ok().flatten().unwrap_or_default();
		let is_open =
			|id: &InstructionId| open.binary_search_by_key(id, |(open_id, _)| *open_id).is_ok();
		let (kept, closed): (Vec<_>, Vec<_>) = ids.into_iter().partition(is_open);
		if closed.is_empty() {
			return;
		}
		for id in closed {
			StorageValueRef::persistent(&sent_record_key(id)).clear();
		}
		ids_ref.set(&kept);
	}

	/// This node's attestation key and its index among the authorities, if it has one.
	pub fn local_reporter() -> Option<Reporter<T>> {
		let local = T::AuthorityId::all();
		Authorities::<T>::get()
			.into_iter()
			.enumerate()
			.find(|(_, key)| local.contains(key))
			.map(|(index, key)| Reporter { index: index as u32, key })
	}
}

fn pending_reports_key() -> Vec<u8> {
	storage_key("pending-reports")
}

fn stored_pending_reports<AccountId: Decode>() -> Vec<PendingReport<AccountId>> {
	StorageValueRef::persistent(&pending_reports_key())
		.get::<Vec<PendingReport<AccountId>>>()
		.ok()
		.flatten()
		.unwrap_or_default()
}

/// The reports of one worker run: this node's attestation key, if it is an authority's, the
/// observations queued for the next report, and those sent that are not yet counted on chain.
/// The latter are kept in persistent storage, read once per run and merged back by
/// [`Reports::save`], so that an observation lost from the pool (a restart, a full pool) is
/// sent again after [`REPORT_RETRY_AFTER`] blocks.
///
/// Runs overlap when a pass outlasts its block (a burst's large batches): each run's save
/// merges what it added and dropped into the list as stored then, under a lock, instead of
/// writing the list it read. Written whole, a later save erased what an overlapping run had
/// added, and an observation so erased whose report the pool lost was never sent again: one
/// of 20,000 deposits at once never opened its transfer.
pub struct Reports<T: Config> {
	reporter: Option<Reporter<T>>,
	/// Part of every signed report; read once per run, not once per report.
	genesis_hash: T::Hash,
	pending: Vec<PendingReport<T::AccountId>>,
	/// The hashes of `pending`'s observations: a send checks for a duplicate without a scan.
	pending_hashes: BTreeSet<H256>,
	/// Queued by [`Reports::send`], sent by [`Reports::flush`].
	queued: Vec<ObservationOf<T>>,
	/// Sent or sent again since the last save.
	added: Vec<PendingReport<T::AccountId>>,
	/// The hashes of observations no longer awaited, or pushed out, since the last save.
	dropped: BTreeSet<H256>,
	now: u64,
}

impl<T: Config> Reports<T> {
	/// The reports of the run at connection-chain block `now`.
	pub fn load(now: u64) -> Self {
		let reporter = Pallet::<T>::local_reporter();
		let pending = match reporter {
			Some(_) => stored_pending_reports(),
			None => Vec::new(),
		};
		let pending_hashes = pending
			.iter()
			.map(|report| attestation::observation_hash(&report.observation))
			.collect();
		Self {
			reporter,
			genesis_hash: Pallet::<T>::genesis_hash(),
			pending,
			pending_hashes,
			queued: Vec::new(),
			added: Vec::new(),
			dropped: BTreeSet::new(),
			now,
		}
	}

	/// Whether this node reports at all (its attestation key is an authority's).
	pub fn can_report(&self) -> bool {
		self.reporter.is_some()
	}

	/// Queues an observation for the next report, unless it changes nothing, this authority
	/// already voted, or it was sent and waits to be counted.
	pub fn send(&mut self, observation: ObservationOf<T>) {
		let Some(reporter) = &self.reporter else { return };
		let hash = attestation::observation_hash(&observation);
		if !Pallet::<T>::awaits_vote(hash, reporter.index, &observation) {
			return;
		}
		if !self.pending_hashes.insert(hash) {
			return;
		}
		if self.pending.len() >= MAX_PENDING_REPORTS {
			let oldest = self.pending.remove(0);
			let oldest = attestation::observation_hash(&oldest.observation);
			self.pending_hashes.remove(&oldest);
			self.dropped.insert(oldest);
			log::warn!(target: LOG_TARGET, "more than {MAX_PENDING_REPORTS} observations await counting; the oldest is no longer sent again");
		}
		let report = PendingReport { observation: observation.clone(), sent_at: self.now };
		self.pending.push(report.clone());
		self.added.push(report);
		self.queued.push(observation);
	}

	/// Signs and submits the queued observations, as few reports as
	/// [`Config::MaxObservationsPerReport`] allows.
	pub fn flush(&mut self) {
		let queued = core::mem::take(&mut self.queued);
		self.submit(queued);
	}

	/// Forgets reports that were counted or became irrelevant, and sends again those that
	/// waited too long, in reports of their own: one that still waits in the pool would refuse
	/// a report repeating its observations, and new observations must not go down with it.
	pub fn resend_stale(&mut self) {
		let Some(reporter) = &self.reporter else { return };
		let now = self.now;
		let (pending_hashes, dropped) = (&mut self.pending_hashes, &mut self.dropped);
		self.pending.retain(|report| {
			let hash = attestation::observation_hash(&report.observation);
			let awaits = Pallet::<T>::awaits_vote(hash, reporter.index, &report.observation);
			if !awaits {
				pending_hashes.remove(&hash);
				dropped.insert(hash);
			}
			awaits
		});
		let mut stale = Vec::new();
		for report in &mut self.pending {
			if now >= report.sent_at.saturating_add(REPORT_RETRY_AFTER) {
				stale.push(report.observation.clone());
				report.sent_at = now;
				self.added.push(report.clone());
			}
		}
		self.submit(stale);
	}

	/// Merges what this run sent and dropped since the last save into the stored list of
	/// reports waiting to be counted, and goes on from the merged list.
	pub fn save(&mut self) {
		if self.added.is_empty() && self.dropped.is_empty() {
			return;
		}
		let lock_key = storage_key("lock/pending-reports");
		let mut lock =
			StorageLock::<Time>::with_deadline(&lock_key, Duration::from_millis(LOCK_DEADLINE_MS));
		let _guard = lock.lock();
		let added = core::mem::take(&mut self.added);
		let dropped = core::mem::take(&mut self.dropped);
		// What this run sent (again) replaces the stored entry.
		let mut hashes: BTreeSet<H256> =
			added.iter().map(|report| attestation::observation_hash(&report.observation)).collect();
		let mut merged: Vec<PendingReport<T::AccountId>> = stored_pending_reports();
		merged.retain(|report| {
			let hash = attestation::observation_hash(&report.observation);
			!dropped.contains(&hash) && hashes.insert(hash)
		});
		merged.extend(added);
		if merged.len() > MAX_PENDING_REPORTS {
			for oldest in merged.drain(..merged.len() - MAX_PENDING_REPORTS) {
				hashes.remove(&attestation::observation_hash(&oldest.observation));
			}
			log::warn!(target: LOG_TARGET, "more than {MAX_PENDING_REPORTS} observations await counting; the oldest are no longer sent again");
		}
		StorageValueRef::persistent(&pending_reports_key()).set(&merged);
		self.pending_hashes = hashes;
		self.pending = merged;
	}

	fn submit(&self, observations: Vec<ObservationOf<T>>) {
		let Some(reporter) = &self.reporter else { return };
		let most = T::MaxObservationsPerReport::get().max(1) as usize;
		for chunk in observations.chunks(most) {
			let payload = attestation::signing_payload(&self.genesis_hash, reporter.index, chunk);
			let Some(signature) = reporter.key.sign(&payload) else {
				log::error!(target: LOG_TARGET, "the keystore did not sign a report");
				return;
			};
			let observations = BoundedVec::truncate_from(chunk.to_vec());
			let call = Call::report { observations, authority: reporter.index, signature };
			let xt = T::create_authorized_transaction(call.into());
			if SubmitTransaction::<T, Call<T>>::submit_transaction(xt).is_err() {
				// Refused as stale, or its observations already in the pool: the retry list
				// covers a real loss.
				log::debug!(target: LOG_TARGET, "a report was not accepted into the pool");
			}
		}
	}
}

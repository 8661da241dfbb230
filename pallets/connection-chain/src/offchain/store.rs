//! What the worker keeps in the node's persistent off-chain storage, one typed accessor per key.
//! Every key starts with [`STORAGE_PREFIX`]; no other file of the worker spells a key.
//!
//! | key | value |
//! |---|---|
//! | `endpoint/<chain>` | the chain's JSON-RPC URL, UTF-8 (written by the node) |
//! | `cursor/<chain>` | the next linked block to read |
//! | `backoff/<chain>` | [`Backoff`] after failing calls |
//! | `lock/<chain>` | the lock a pass on the chain holds |
//! | `newest-run/<chain>` | the newest connection-chain block a pass on the chain ran at |
//! | `sent/<instruction>` | [`SentRecord`] of the transaction signed for it |
//! | `sent-ids/<chain>` | the instructions of the chain that have a sent record |
//! | `submissions/<chain>` | [`Submission`]s of the vault contract's batches this node sent |
//! | `report/<observation hash>` | [`PendingReport`]: sent, not yet seen counted |
//! | `reports-sent/<block>` | the observations (hashes) sent or sent again at that block |
//! | `reports-cursor` | the first such block not yet looked at again |

use crate::{linked::SignedTx, types::*};
use alloc::{format, string::String, vec::Vec};
use codec::{Decode, Encode};
use sp_core::H256;
use sp_runtime::offchain::{
	storage::StorageValueRef,
	storage_lock::{StorageLock, Time},
	Duration,
};

/// Prefix of every key the worker keeps in the node's persistent off-chain storage.
pub const STORAGE_PREFIX: &[u8] = b"connection-chain/";
/// Longest time one pass may hold a chain's lock.
pub const LOCK_DEADLINE_MS: u64 = 60_000;
/// How often a list of sent reports is written again when another run wrote it meanwhile.
const LIST_WRITE_ATTEMPTS: u32 = 8;

/// Back-off of a chain whose endpoint failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode)]
pub struct Backoff {
	/// Failed passes in a row.
	pub failures: u32,
	/// The connection-chain block before which the chain is left alone.
	pub until: u64,
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

/// A batch of a vault contract this node submitted from its signer's account.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct Submission {
	/// The batch's vault nonce.
	pub nonce: u64,
	/// Whether it is the empty batch that only takes the nonce.
	pub takes_nonce_only: bool,
	/// The signer account's nonce the transaction uses.
	pub sender_nonce: u64,
	/// The transaction.
	pub tx: SignedTx,
	/// The newest linked block when it was last broadcast.
	pub broadcast_at: u64,
}

/// A report sent and not yet seen counted on chain.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct PendingReport<AccountId> {
	/// What was reported.
	pub observation: Observation<AccountId>,
	/// The connection-chain block it was last sent at.
	pub sent_at: u64,
}

fn key(name: &str) -> Vec<u8> {
	[STORAGE_PREFIX, name.as_bytes()].concat()
}

fn get<V: Decode>(key: &[u8]) -> Option<V> {
	StorageValueRef::persistent(key).get::<V>().ok().flatten()
}

fn set<V: Encode>(key: &[u8], value: &V) {
	StorageValueRef::persistent(key).set(value)
}

fn clear(key: &[u8]) {
	StorageValueRef::persistent(key).clear()
}

/// The key of a chain's JSON-RPC endpoint (its value: the URL as UTF-8 bytes).
pub fn endpoint_key(chain: ChainId) -> Vec<u8> {
	key(&format!("endpoint/{chain}"))
}

/// The JSON-RPC URL of a chain, as this node configured it.
pub fn endpoint(chain: ChainId) -> Option<String> {
	let raw = sp_io::offchain::local_storage_get(
		sp_core::offchain::StorageKind::PERSISTENT,
		&endpoint_key(chain),
	)?;
	String::from_utf8(raw).ok().filter(|url| !url.is_empty())
}

/// The next linked block to read on a chain; `None` if this node never watched it.
pub fn cursor(chain: ChainId) -> Option<u64> {
	get(&key(&format!("cursor/{chain}")))
}

pub fn set_cursor(chain: ChainId, next: u64) {
	set(&key(&format!("cursor/{chain}")), &next)
}

pub fn backoff(chain: ChainId) -> Backoff {
	get(&key(&format!("backoff/{chain}"))).unwrap_or_default()
}

pub fn set_backoff(chain: ChainId, backoff: &Backoff) {
	set(&key(&format!("backoff/{chain}")), backoff)
}

pub fn clear_backoff(chain: ChainId) {
	clear(&key(&format!("backoff/{chain}")))
}

/// Runs `pass` holding the chain's lock; `None` if another run holds it.
pub fn with_chain_lock<R>(chain: ChainId, pass: impl FnOnce() -> R) -> Option<R> {
	let lock_key = key(&format!("lock/{chain}"));
	let deadline = Duration::from_millis(LOCK_DEADLINE_MS);
	let mut lock = StorageLock::<Time>::with_deadline(&lock_key, deadline);
	let _guard = lock.try_lock().ok()?;
	Some(pass())
}

/// The newest connection-chain block a pass on the chain ran at.
pub fn newest_run(chain: ChainId) -> Option<u64> {
	get(&key(&format!("newest-run/{chain}")))
}

pub fn set_newest_run(chain: ChainId, block: u64) {
	set(&key(&format!("newest-run/{chain}")), &block)
}

fn sent_record_key(id: InstructionId) -> Vec<u8> {
	key(&format!("sent/{id}"))
}

/// What the worker recorded about the transaction of instruction `id`.
pub fn sent_record(id: InstructionId) -> Option<SentRecord> {
	get(&sent_record_key(id))
}

pub fn set_sent_record(id: InstructionId, record: &SentRecord) {
	set(&sent_record_key(id), record)
}

pub fn clear_sent_record(id: InstructionId) {
	clear(&sent_record_key(id))
}

/// The batches of the chain's vault contract this node submitted and has not seen taken yet.
pub fn submissions(chain: ChainId) -> Vec<Submission> {
	get(&key(&format!("submissions/{chain}"))).unwrap_or_default()
}

pub fn set_submissions(chain: ChainId, submissions: &Vec<Submission>) {
	set(&key(&format!("submissions/{chain}")), submissions)
}

/// The instructions of a chain that have a sent record.
pub fn recorded_ids(chain: ChainId) -> Vec<InstructionId> {
	get(&key(&format!("sent-ids/{chain}"))).unwrap_or_default()
}

pub fn set_recorded_ids(chain: ChainId, ids: Vec<InstructionId>) {
	set(&key(&format!("sent-ids/{chain}")), &ids)
}

fn report_key(observation: &H256) -> Vec<u8> {
	[&key("report/")[..], observation.as_bytes()].concat()
}

/// The report of an observation sent and not yet seen counted.
pub fn pending_report<AccountId: Decode>(observation: &H256) -> Option<PendingReport<AccountId>> {
	get(&report_key(observation))
}

pub fn set_pending_report<AccountId: Encode>(
	observation: &H256,
	report: &PendingReport<AccountId>,
) {
	set(&report_key(observation), report)
}

pub fn clear_pending_report(observation: &H256) {
	clear(&report_key(observation))
}

fn reports_sent_key(block: u64) -> Vec<u8> {
	key(&format!("reports-sent/{block}"))
}

/// Takes the list of observations sent at `block`: it is read and removed.
pub fn take_reports_sent(block: u64) -> Vec<H256> {
	let list_key = reports_sent_key(block);
	let list = get(&list_key).unwrap_or_default();
	clear(&list_key);
	list
}

/// Adds `sent` to the observations sent at `block`. Runs of the same block (a fork) may add
/// at once: the list is written only if nobody changed it since it was read, else read again.
pub fn list_reports_sent(block: u64, sent: &[H256]) {
	let list_key = reports_sent_key(block);
	let list_ref = StorageValueRef::persistent(&list_key);
	for _ in 0..LIST_WRITE_ATTEMPTS {
		let written = list_ref.mutate::<Vec<H256>, (), _>(|stored| {
			let mut list = stored.ok().flatten().unwrap_or_default();
			list.extend_from_slice(sent);
			Ok(list)
		});
		if written.is_ok() {
			return;
		}
	}
	log::warn!(target: crate::LOG_TARGET, "{} sent reports could not be listed for sending again", sent.len());
}

/// The first block whose sent reports were not looked at again yet; `None` before the first.
pub fn reports_cursor() -> Option<u64> {
	get(&key("reports-cursor"))
}

pub fn set_reports_cursor(block: u64) {
	set(&key("reports-cursor"), &block)
}

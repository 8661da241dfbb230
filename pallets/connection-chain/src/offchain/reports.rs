//! The worker's reports: observations signed with this node's attestation key and submitted as
//! fee-less authorized transactions, as few reports as [`Config::MaxObservationsPerReport`]
//! allows, and sent again while they are not counted on chain.
//!
//! Each observation sent is kept under a key of its own ([`store::pending_report`]) and listed
//! under the block it was sent at ([`store::list_reports_sent`]), both when the run saves. A
//! later run looks at each block's list once it is [`REPORT_RETRY_AFTER`] blocks old: an
//! observation still awaiting this authority's vote is sent again (and listed under the new
//! block), one that was counted or no longer matters is forgotten. Runs that overlap (a pass
//! that outlasts its block) each write only their own observations' keys and add to a block's
//! list without overwriting it, so neither can erase what the other sent.

use super::store::{self, PendingReport};
use crate::{
	linked::{observation_hash, signing_payload},
	pallet::*,
	LOG_TARGET,
};
use alloc::{collections::BTreeSet, vec::Vec};
use frame_support::{traits::Get, BoundedVec};
use frame_system::offchain::SubmitTransaction;
use sp_core::H256;
use sp_runtime::RuntimeAppPublic;

/// Connection-chain blocks after which a report not yet counted on chain is sent again. Reports
/// go before other transactions ([`Config::ReportPriority`]), so one still uncounted this late
/// was lost (a restart, a full pool). Sending again one that still waits in the pool costs its
/// validation: the pool refuses it.
pub const REPORT_RETRY_AFTER: u64 = 4;
/// Most blocks of sent reports one run looks at again: a node that was down long catches up
/// over several runs.
pub const MAX_RETRY_BLOCKS_PER_RUN: u64 = 64;

/// This node's attestation key, if it is an authority's.
pub struct Reporter<T: Config> {
	index: u32,
	key: T::AuthorityId,
}

impl<T: Config> Pallet<T> {
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

/// The reports of one worker run (see the module doc).
pub struct Reports<T: Config> {
	reporter: Option<Reporter<T>>,
	/// Part of every signed report; read once per run, not once per report.
	genesis_hash: T::Hash,
	/// Queued by [`Reports::send`], sent by [`Reports::flush`].
	queued: Vec<ObservationOf<T>>,
	/// Observations sent (or sent again) since the last save, kept and listed under `now` by
	/// it.
	sent: Vec<(H256, PendingReport<T::AccountId>)>,
	/// Every observation this run sent: it sends each once.
	sent_in_run: BTreeSet<H256>,
	now: u64,
}

impl<T: Config> Reports<T> {
	/// The reports of the run at connection-chain block `now`.
	pub fn load(now: u64) -> Self {
		Self {
			reporter: Pallet::<T>::local_reporter(),
			genesis_hash: Pallet::<T>::genesis_hash(),
			queued: Vec::new(),
			sent: Vec::new(),
			sent_in_run: BTreeSet::new(),
			now,
		}
	}

	/// This node's index among the authorities, if it is one.
	pub fn authority(&self) -> Option<u32> {
		self.reporter.as_ref().map(|reporter| reporter.index)
	}

	/// Whether this node reports at all (its attestation key is an authority's).
	pub fn can_report(&self) -> bool {
		self.reporter.is_some()
	}

	/// Queues an observation for the next report, unless it changes nothing, this authority
	/// already voted, or it was sent and waits to be counted.
	pub fn send(&mut self, observation: ObservationOf<T>) {
		let Some(reporter) = &self.reporter else { return };
		let hash = observation_hash(&observation);
		if !Pallet::<T>::awaits_vote(hash, reporter.index, &observation) {
			return;
		}
		// Sent lately and not yet due again. One sent long ago that still awaits its vote is
		// sent now (its listing for sending again may have been lost with a stopped node).
		let sent_lately = store::pending_report::<T::AccountId>(&hash)
			.is_some_and(|report| self.now < report.sent_at.saturating_add(REPORT_RETRY_AFTER));
		if sent_lately || !self.sent_in_run.insert(hash) {
			return;
		}
		let report = PendingReport { observation: observation.clone(), sent_at: self.now };
		self.sent.push((hash, report));
		self.queued.push(observation);
	}

	/// Signs and submits the queued observations.
	pub fn flush(&mut self) {
		let queued = core::mem::take(&mut self.queued);
		self.submit(queued);
	}

	/// Looks again at the observations sent [`REPORT_RETRY_AFTER`] blocks ago or earlier:
	/// forgets those counted or no longer relevant, and sends the others again, in reports of
	/// their own (one that still waits in the pool would refuse a report repeating its
	/// observations, and new observations must not go down with it).
	pub fn resend_stale(&mut self) {
		let Some(reporter) = &self.reporter else { return };
		let (Some(first), Some(last)) =
			(store::reports_cursor(), self.now.checked_sub(REPORT_RETRY_AFTER))
		else {
			return;
		};
		let last = last.min(first.saturating_add(MAX_RETRY_BLOCKS_PER_RUN - 1));
		let mut stale = Vec::new();
		for block in first..=last {
			for hash in store::take_reports_sent(block) {
				let Some(mut report) = store::pending_report::<T::AccountId>(&hash) else {
					continue;
				};
				if !Pallet::<T>::awaits_vote(hash, reporter.index, &report.observation) {
					store::clear_pending_report(&hash);
					continue;
				}
				// Sent again since: it is listed under a later block.
				if report.sent_at > block {
					continue;
				}
				if !self.sent_in_run.insert(hash) {
					continue;
				}
				report.sent_at = self.now;
				stale.push(report.observation.clone());
				self.sent.push((hash, report));
			}
		}
		if first <= last {
			store::set_reports_cursor(last.saturating_add(1));
		}
		self.submit(stale);
	}

	/// Keeps what this run sent since the last save, listed under its block, for sending again.
	pub fn save(&mut self) {
		if self.sent.is_empty() {
			return;
		}
		let sent = core::mem::take(&mut self.sent);
		for (hash, report) in &sent {
			store::set_pending_report(hash, report);
		}
		let hashes: Vec<H256> = sent.iter().map(|(hash, _)| *hash).collect();
		store::list_reports_sent(self.now, &hashes);
		if store::reports_cursor().is_none() {
			store::set_reports_cursor(self.now);
		}
	}

	fn submit(&self, observations: Vec<ObservationOf<T>>) {
		let Some(reporter) = &self.reporter else { return };
		let most = T::MaxObservationsPerReport::get().max(1) as usize;
		for chunk in observations.chunks(most) {
			let payload = signing_payload(&self.genesis_hash, reporter.index, chunk);
			let Some(signature) = reporter.key.sign(&payload) else {
				log::error!(target: LOG_TARGET, "the keystore did not sign a report");
				return;
			};
			let observations = BoundedVec::truncate_from(chunk.to_vec());
			let call = Call::report { observations, authority: reporter.index, signature };
			let xt = T::create_authorized_transaction(call.into());
			if SubmitTransaction::<T, Call<T>>::submit_transaction(xt).is_err() {
				// Refused as stale, or its observations already in the pool: sending again
				// covers a real loss.
				log::debug!(target: LOG_TARGET, "a report was not accepted into the pool");
			}
		}
	}
}

//! Attestations: the validators' off-chain workers report what they observe on the linked
//! chains, and an observation takes effect once [`Threshold`] distinct authorities reported
//! exactly the same one.
//!
//! A report is an authorized (fee-less) transaction carrying one or more observations:
//! [`Pallet::authorize_report`] accepts it into the pool only if it comes from a current
//! authority, carries a valid signature of [`signing_payload`], and at least one of its
//! observations still awaits this authority's vote (not voted on yet, and still relevant: the
//! deposit not yet handled, the instruction still open, ...). Observations that no longer
//! await it are skipped when the report is dispatched. Reports about the same subject that
//! differ are all kept in [`SubjectReports`] as evidence; only the one that reaches the
//! threshold first takes effect.
//!
//! Votes are stored only while an observation is below the threshold: the vote that reaches
//! it applies the observation and clears the earlier ones, so with a threshold of one a report
//! writes nothing but its effect.

use crate::{
	linked::{observation_hash, signing_payload},
	outbound::Outcome,
	pallet::*,
	types::*,
	weights::WeightInfo,
};
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_core::H256;
use sp_runtime::{
	traits::{Saturating, Zero},
	RuntimeAppPublic,
};

/// The weight a report of `count` observations is charged in advance: each one as the
/// heaviest kind, with the most vote bookkeeping (see [`Pallet::do_report`]).
pub fn report_weight<T: Config>(count: u32) -> Weight {
	let bookkeeping = u64::from(T::MaxAuthorities::get()).saturating_add(1);
	let most_campaigns = T::MaxCampaignsPerRule::get().saturating_mul(count);
	T::WeightInfo::report_deposits(count)
		.max(
			T::WeightInfo::report_new_transfers(count)
				.saturating_add(campaigns_weight::<T>(most_campaigns)),
		)
		.max(T::WeightInfo::report_outcomes(count).saturating_add(
			T::WeightInfo::settle_batch(T::MaxSettlementBatch::get()).saturating_mul(count.into()),
		))
		.max(T::WeightInfo::report_inclusions(count))
		.saturating_add(T::DbWeight::get().writes(bookkeeping.saturating_mul(count.into())))
}

/// What pricing a transfer costs for `campaigns` campaigns of its rule, as measured for
/// requests (the campaign-dependent part of `request_transfer`).
fn campaigns_weight<T: Config>(campaigns: u32) -> Weight {
	T::WeightInfo::request_transfer(campaigns).saturating_sub(T::WeightInfo::request_transfer(0))
}

/// The observations of a dispatched report by the benchmark that bounds each one's weight, and
/// the vote bookkeeping those benchmarks leave out, so the report is charged for what it
/// carried rather than the worst case.
#[derive(Default)]
pub struct ReportWeights {
	deposits: u32,
	/// Deposits that open a transfer ([`DepositReference::NewTransfer`]).
	new_transfers: u32,
	/// The campaigns of their rules, summed.
	new_transfer_campaigns: u32,
	inclusions: u32,
	/// Payout and settlement outcomes, and the rare kinds (vault state, fees) counted as one.
	outcomes: u32,
	/// Returned by [`Pallet::do_report`].
	pub bookkeeping: Weight,
}

impl ReportWeights {
	/// Counts one dispatched observation under its kind.
	pub fn count<T: Config>(&mut self, observation: &ObservationOf<T>) {
		let counter = match observation {
			Observation::Deposit {
				reference: DepositReference::NewTransfer { rule, .. }, ..
			} => {
				self.new_transfer_campaigns.saturating_accrue(Pallet::<T>::campaign_count(*rule));
				&mut self.new_transfers
			}
			Observation::Deposit { .. } => &mut self.deposits,
			Observation::OutboundIncluded { .. } => &mut self.inclusions,
			_ => &mut self.outcomes,
		};
		*counter = counter.saturating_add(1);
	}

	/// The weight the report is charged after dispatch.
	pub fn total<T: Config>(&self) -> Weight {
		let mut total = self.bookkeeping;
		if self.deposits > 0 {
			total.saturating_accrue(T::WeightInfo::report_deposits(self.deposits));
		}
		if self.new_transfers > 0 {
			total.saturating_accrue(T::WeightInfo::report_new_transfers(self.new_transfers));
			total.saturating_accrue(campaigns_weight::<T>(self.new_transfer_campaigns));
		}
		if self.inclusions > 0 {
			total.saturating_accrue(T::WeightInfo::report_inclusions(self.inclusions));
		}
		if self.outcomes > 0 {
			total.saturating_accrue(T::WeightInfo::report_outcomes(self.outcomes));
		}
		total
	}
}

impl<T: Config> Pallet<T> {
	/// The genesis hash of this chain, part of every signed report.
	pub fn genesis_hash() -> T::Hash {
		frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero())
	}

	/// Whether an observation would still change something.
	pub fn is_relevant(observation: &ObservationOf<T>) -> bool {
		match observation {
			Observation::Deposit { chain, tx, .. } => {
				Chains::<T>::contains_key(chain) && !SeenDeposits::<T>::contains_key(chain, tx.hash)
			}
			Observation::OutboundIncluded { instruction, .. } => {
				Outbound::<T>::get(instruction).is_some_and(|i| i.status == OutboundStatus::Pending)
			}
			Observation::OutboundFinal { instruction, .. }
			| Observation::OutboundFailed { instruction, .. }
			| Observation::OutboundDead { instruction, .. }
			| Observation::VaultCannotPayFees { instruction } => Outbound::<T>::get(instruction)
				.is_some_and(|i| Self::instruction_is_open(&i.status)),
			Observation::VaultState { chain, snapshot } => {
				Chains::<T>::contains_key(chain)
					&& ObservedVaultState::<T>::get(chain)
						.is_none_or(|last| snapshot.at.number > last.at.number)
			}
			// Whether the authority still has to approve it is checked by `awaits_vote`.
			Observation::BatchApproval { chain, nonce, .. } => {
				VaultBatches::<T>::contains_key(chain, nonce)
			}
			Observation::MultisigOpened { chain, nonce, .. } => {
				VaultBatches::<T>::contains_key(chain, nonce)
					&& !MultisigOpenings::<T>::contains_key(chain, nonce)
			}
		}
	}

	/// Whether `authority` still has a vote to cast on `observation`: it has not voted on it
	/// yet, and the observation would still change something.
	pub fn awaits_vote(hash: H256, authority: u32, observation: &ObservationOf<T>) -> bool {
		if let Observation::BatchApproval { chain, nonce, takes_nonce_only, .. } = observation {
			return Self::approval_awaited(*chain, *nonce, *takes_nonce_only, authority);
		}
		!Votes::<T>::contains_key(hash, authority) && Self::is_relevant(observation)
	}

	/// Admits a report into the transaction pool (see the module doc).
	pub fn authorize_report(
		_source: TransactionSource,
		observations: &ReportedObservations<T>,
		authority: &u32,
		signature: &<T::AuthorityId as RuntimeAppPublic>::Signature,
	) -> TransactionValidityWithRefund {
		let key = Authorities::<T>::get()
			.get(*authority as usize)
			.cloned()
			.ok_or(InvalidTransaction::BadSigner)?;
		let mut validity = ValidTransaction::with_tag_prefix("ConnectionChainReport")
			.priority(T::ReportPriority::get())
			.longevity(64)
			.propagate(true);
		let mut awaited = 0usize;
		for observation in observations {
			let hash = observation_hash(observation);
			if Self::awaits_vote(hash, *authority, observation) {
				// One vote per authority and observation, even across reports.
				validity = validity.and_provides((hash, authority));
				awaited += 1;
			}
		}
		if awaited == 0 {
			return Err(InvalidTransaction::Stale.into());
		}
		// Signature last: it is the expensive check.
		let payload = signing_payload(&Self::genesis_hash(), *authority, observations);
		if !key.verify(&payload, signature) {
			return Err(InvalidTransaction::BadProof.into());
		}
		validity.build().map(|validity| (validity, Weight::zero()))
	}

	/// Counts each observation of an authorized report as `authority`'s vote. Returns the
	/// weight the report is charged after dispatch.
	pub(crate) fn do_report_all(observations: ReportedObservations<T>, authority: u32) -> Weight {
		let mut weights = ReportWeights::default();
		for observation in observations {
			weights.count::<T>(&observation);
			let bookkeeping = Self::do_report(observation, authority);
			weights.bookkeeping.saturating_accrue(bookkeeping);
		}
		weights.total::<T>()
	}

	/// Counts an authorized report and applies the observation when it reaches the threshold.
	///
	/// Returns the weight of the vote bookkeeping beyond the benchmarked path (one vote that
	/// reaches a threshold of one, which writes none): the votes stored below the threshold,
	/// and the earlier votes cleared when it is reached, at most `MaxAuthorities + 1` writes.
	pub(crate) fn do_report(observation: ObservationOf<T>, authority: u32) -> Weight {
		let hash = observation_hash(&observation);
		// Two reports admitted to the same block can both pass `authorize_report`.
		if !Self::awaits_vote(hash, authority, &observation) {
			Self::deposit_event(Event::ObservationObsolete { observation: hash });
			return Weight::zero();
		}
		// An approval is the authority's own signature: it counts alone, once it verifies.
		if let Observation::BatchApproval { chain, nonce, takes_nonce_only, signature } =
			observation
		{
			if Self::apply_approval(authority, chain, nonce, takes_nonce_only, signature) {
				Self::deposit_event(Event::ObservationApplied { observation: hash });
			}
			return Weight::zero();
		}
		let votes = VoteCount::<T>::get(hash).saturating_add(1);
		let subject = observation.subject();
		let mut reports = SubjectReports::<T>::get(subject);
		let new_version = !reports.contains(&hash);
		if new_version {
			// Beyond `MaxAuthorities` distinct versions the evidence is already plain.
			let _ = reports.try_push(hash);
		}
		let distinct = reports.len() as u32;
		if distinct > 1 {
			Self::deposit_event(Event::ConflictingReports { subject, observations: distinct });
		}
		Self::deposit_event(Event::Reported { authority, observation: hash, votes });

		let mut writes = 0u64;
		if votes < Threshold::<T>::get() {
			Votes::<T>::insert(hash, authority, ());
			VoteCount::<T>::insert(hash, votes);
			writes += 2;
			if new_version {
				SubjectReports::<T>::insert(subject, reports);
				writes += 1;
			}
			return T::DbWeight::get().writes(writes);
		}
		// This vote reaches the threshold: it is not stored, the earlier ones are cleared.
		if votes > 1 {
			let _ = Votes::<T>::clear_prefix(hash, T::MaxAuthorities::get(), None);
			VoteCount::<T>::remove(hash);
			// The earlier votes and their count.
			writes += u64::from(votes);
		}
		if distinct > 1 {
			// Conflicting versions stay as evidence.
			if new_version {
				SubjectReports::<T>::insert(subject, reports);
				writes += 1;
			}
		} else if !new_version {
			// Only this version was reported, by the earlier votes: nothing left to keep.
			SubjectReports::<T>::remove(subject);
			writes += 1;
		}
		// Measured before it applies: a final settlement's batch is gone afterwards.
		let batch = Self::settlement_batch_weight(&observation);
		// One observation's effect stands or falls whole: a ledger fault (reported where it
		// arose) takes back what it wrote, and the observation changes nothing.
		let applied =
			frame_support::storage::with_storage_layer(|| Self::apply_observation(observation));
		if applied == Ok(true) {
			Self::deposit_event(Event::ObservationApplied { observation: hash });
		} else {
			Self::deposit_event(Event::ObservationObsolete { observation: hash });
		}
		T::DbWeight::get().writes(writes).saturating_add(batch)
	}

	/// What an observation of a settlement costs beyond its benchmark, which updates one
	/// transfer: updating every transfer of the batch, measured on the heaviest update, their
	/// completion ([`WeightInfo::settle_batch`]).
	fn settlement_batch_weight(observation: &ObservationOf<T>) -> Weight {
		let instruction = match observation {
			Observation::OutboundIncluded { instruction, .. }
			| Observation::OutboundFinal { instruction, .. }
			| Observation::OutboundFailed { instruction, .. }
			| Observation::OutboundDead { instruction, .. } => instruction,
			_ => return Weight::zero(),
		};
		match Outbound::<T>::get(instruction).map(|instruction| instruction.purpose) {
			Some(OutboundPurpose::Settlement(batch)) => {
				let transfers = SettlementBatches::<T>::decode_len(batch).unwrap_or(0);
				T::WeightInfo::settle_batch(u32::try_from(transfers).unwrap_or(u32::MAX))
			}
			_ => Weight::zero(),
		}
	}

	/// Makes an observation take effect. Returns whether it changed anything; fails only if
	/// the books would not balance.
	fn apply_observation(observation: ObservationOf<T>) -> Result<bool, DispatchError> {
		match observation {
			Observation::Deposit { chain, tx, from, amount, reference } => {
				Self::apply_deposit(chain, tx, from, amount, reference)
			}
			Observation::OutboundIncluded { instruction, tx } => {
				Ok(Self::apply_inclusion(instruction, tx))
			}
			Observation::OutboundFinal { instruction, tx, fee } => {
				Self::apply_outcome(instruction, Outcome::Final(tx), fee)
			}
			Observation::OutboundFailed { instruction, tx, reason, fee } => {
				Self::apply_outcome(instruction, Outcome::Failed(Some(tx), reason), fee)
			}
			Observation::OutboundDead { instruction, proof, fee } => {
				let outcome = Outcome::Failed(None, FailureReason::Dead(proof));
				Self::apply_outcome(instruction, outcome, fee)
			}
			Observation::VaultState { chain, snapshot } => {
				Ok(Self::apply_vault_state(chain, snapshot))
			}
			Observation::VaultCannotPayFees { instruction } => {
				let Some(open) = Outbound::<T>::get(instruction) else { return Ok(false) };
				Self::deposit_event(Event::VaultCannotPayFees { chain: open.chain, instruction });
				Ok(true)
			}
			// Counted per authority by `do_report`, never voted on.
			Observation::BatchApproval { .. } => Ok(false),
			Observation::MultisigOpened { chain, nonce, opening } => {
				Ok(Self::apply_multisig_opening(chain, nonce, opening))
			}
		}
	}
}

impl<T: Config> sp_runtime::BoundToRuntimeAppPublic for Pallet<T> {
	type Public = T::AuthorityId;
}

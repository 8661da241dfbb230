//! Attestations: the validators' off-chain workers report what they observe on the linked
//! chains, and an observation takes effect once [`Threshold`] distinct authorities reported
//! exactly the same one.
//!
//! A report is an authorized (fee-less) transaction: [`Pallet::authorize_report`] accepts it
//! into the pool only if it comes from a current authority, carries a valid signature of
//! [`signing_payload`], is not that authority's second report of the same observation, and is
//! still relevant (the deposit not yet handled, the instruction still open, ...). Reports about
//! the same subject that differ are all kept in [`SubjectReports`] as evidence; only the one
//! that reaches the threshold first takes effect.

use crate::{lifecycle::Outcome, pallet::*, types::*};
use alloc::vec::Vec;
use codec::Encode;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_core::H256;
use sp_runtime::{traits::Zero, RuntimeAppPublic};

/// Domain separator of report signatures.
pub const REPORT_CONTEXT: &[u8] = b"connection-chain/report/v1";

/// What an authority signs to report `observation`: the domain separator, the chain's genesis
/// hash (so a report cannot be replayed on another chain running this runtime), the
/// authority's index and the observation.
pub fn signing_payload<Hash: Encode, AccountId: Encode>(
	genesis_hash: &Hash,
	authority: u32,
	observation: &Observation<AccountId>,
) -> Vec<u8> {
	(REPORT_CONTEXT, genesis_hash, authority, observation).encode()
}

/// The identity of an observation: votes are counted per hash.
pub fn observation_hash<AccountId: Encode>(observation: &Observation<AccountId>) -> H256 {
	sp_io::hashing::blake2_256(&observation.encode()).into()
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
		}
	}

	/// Whether `authority` still has a vote to cast on `observation`: it has not voted on it
	/// yet, and the observation would still change something.
	pub fn awaits_vote(hash: H256, authority: u32, observation: &ObservationOf<T>) -> bool {
		!Votes::<T>::contains_key(hash, authority) && Self::is_relevant(observation)
	}

	/// Admits a report into the transaction pool (see the module doc).
	pub fn authorize_report(
		_source: TransactionSource,
		observation: &ObservationOf<T>,
		authority: &u32,
		signature: &<T::AuthorityId as RuntimeAppPublic>::Signature,
	) -> TransactionValidityWithRefund {
		let key = Authorities::<T>::get()
			.get(*authority as usize)
			.cloned()
			.ok_or(InvalidTransaction::BadSigner)?;
		let hash = observation_hash(observation);
		if !Self::awaits_vote(hash, *authority, observation) {
			return Err(InvalidTransaction::Stale.into());
		}
		// Signature last: it is the expensive check.
		let payload = signing_payload(&Self::genesis_hash(), *authority, observation);
		if !key.verify(&payload, signature) {
			return Err(InvalidTransaction::BadProof.into());
		}
		ValidTransaction::with_tag_prefix("ConnectionChainReport")
			.priority(T::ReportPriority::get())
			.and_provides((hash, authority))
			.longevity(64)
			.propagate(true)
			.build()
			.map(|validity| (validity, Weight::zero()))
	}

	/// Counts an authorized report and applies the observation when it reaches the threshold.
	pub(crate) fn do_report(observation: ObservationOf<T>, authority: u32) {
		let hash = observation_hash(&observation);
		// Two reports admitted to the same block can both pass `authorize_report`.
		if !Self::awaits_vote(hash, authority, &observation) {
			Self::deposit_event(Event::ObservationObsolete { observation: hash });
			return;
		}
		Votes::<T>::insert(hash, authority, ());
		let votes = VoteCount::<T>::mutate(hash, |count| {
			*count = count.saturating_add(1);
			*count
		});
		let subject = observation.subject();
		let distinct = SubjectReports::<T>::mutate(subject, |reports| {
			if !reports.contains(&hash) {
				// Beyond `MaxAuthorities` distinct versions the evidence is already plain.
				let _ = reports.try_push(hash);
			}
			reports.len() as u32
		});
		if distinct > 1 {
			Self::deposit_event(Event::ConflictingReports { subject, observations: distinct });
		}
		Self::deposit_event(Event::Reported { authority, observation: hash, votes });

		if votes < Threshold::<T>::get() {
			return;
		}
		let _ = Votes::<T>::clear_prefix(hash, T::MaxAuthorities::get(), None);
		VoteCount::<T>::remove(hash);
		if distinct <= 1 {
			SubjectReports::<T>::remove(subject);
		}
		if Self::apply_observation(observation) {
			Self::deposit_event(Event::ObservationApplied { observation: hash });
		} else {
			Self::deposit_event(Event::ObservationObsolete { observation: hash });
		}
	}

	/// Makes an observation take effect. Returns whether it changed anything.
	fn apply_observation(observation: ObservationOf<T>) -> bool {
		match observation {
			Observation::Deposit { chain, tx, from, amount, reference } => {
				Self::apply_deposit(chain, tx, from, amount, reference)
			}
			Observation::OutboundIncluded { instruction, tx } => {
				Self::apply_inclusion(instruction, tx)
			}
			Observation::OutboundFinal { instruction, tx, fee } => {
				Self::apply_outcome(instruction, Outcome::Final(tx), fee)
			}
			Observation::OutboundFailed { instruction, tx, reason, fee } => {
				Self::apply_outcome(instruction, Outcome::Failed(Some(tx), reason), fee)
			}
			Observation::OutboundDead { instruction, proof, fee } => Self::apply_outcome(
				instruction,
				Outcome::Failed(None, FailureReason::Dead(proof)),
				fee,
			),
			Observation::VaultState { chain, snapshot } => {
				if !Chains::<T>::contains_key(chain) {
					return false;
				}
				ObservedVaultState::<T>::insert(chain, snapshot);
				// Nonces taken outside the connection chain are never assigned again.
				NextVaultNonce::<T>::mutate(chain, |next| *next = (*next).max(snapshot.nonce));
				let expected =
					VaultLedgers::<T>::get(chain).expected_vault_balance().unwrap_or(u128::MAX);
				Self::deposit_event(Event::VaultStateObserved {
					chain,
					balance: snapshot.balance,
					expected,
					nonce: snapshot.nonce,
				});
				true
			}
			Observation::VaultCannotPayFees { instruction } => {
				let Some(open) = Outbound::<T>::get(instruction) else { return false };
				Self::deposit_event(Event::VaultCannotPayFees { chain: open.chain, instruction });
				true
			}
		}
	}
}

impl<T: Config> sp_runtime::BoundToRuntimeAppPublic for Pallet<T> {
	type Public = T::AuthorityId;
}

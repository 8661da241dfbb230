//! Transfers: requested on this chain or opened by their deposit, priced, cancelled, and ended;
//! each one's state, indices and trail.
//!
//! Pricing is read-only ([`Pallet::price_terms`]): every check a new transfer must pass, the
//! quote, and the volume and liquidity it needs. Only once it passed does
//! [`Pallet::commit_terms`] write what the transfer takes, so a refused transfer changes nothing
//! without a storage layer to roll back.

use crate::{deposits::VaultDeposit, ledger::Books, pallet::*, types::*, LOG_TARGET};
use frame_support::{
	ensure,
	traits::{fungible::MutateHold, tokens::Precision, Get},
	BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError, DispatchResult,
};

/// A new transfer's terms, checked and priced ([`Pallet::price_terms`]).
pub(crate) struct TransferTerms<T: Config> {
	rule: RuleId,
	operator: T::AccountId,
	campaign: Option<CampaignId>,
	source: Leg,
	destination: Leg,
	fee: LinkedAmount,
	min_received: LinkedAmount,
	/// The source chain's volume period once this transfer counts in it: (start, volume).
	volume: (BlockNumberFor<T>, LinkedAmount),
}

impl<T: Config> TransferTerms<T> {
	/// The record of a transfer on these terms, awaiting its deposit, with an empty trail.
	fn into_transfer(
		self,
		requester: Option<T::AccountId>,
		client_reference: BoundedVec<u8, MaxClientReferenceLen>,
		deposit_deadline: BlockNumberFor<T>,
		requester_deposit: BalanceOf<T>,
	) -> TransferOf<T> {
		let state = TransferState::AwaitingDeposit;
		Transfer {
			requester,
			rule: self.rule,
			operator: self.operator,
			campaign: self.campaign,
			source: self.source,
			destination: self.destination,
			fee: self.fee,
			min_received: self.min_received,
			client_reference,
			deposit_deadline,
			payout_deadline: None,
			state,
			hold: state.hold(),
			depositor: None,
			requester_deposit,
			trail: BoundedVec::new(),
		}
	}
}

fn quote_error<T: Config>(error: QuoteError) -> Error<T> {
	match error {
		QuoteError::UnknownRule => Error::<T>::UnknownRule,
		QuoteError::RuleNotValid => Error::<T>::RuleNotValid,
		QuoteError::AmountTooSmall => Error::<T>::AmountTooSmall,
		QuoteError::AmountTooLarge => Error::<T>::AmountTooLarge,
		QuoteError::FeeExceedsAmount => Error::<T>::FeeExceedsAmount,
		QuoteError::NothingReceived => Error::<T>::NothingReceived,
		QuoteError::Overflow => Error::<T>::Overflow,
	}
}

impl<T: Config> Pallet<T> {
	pub(crate) fn do_request_transfer(
		requester: T::AccountId,
		rule_id: RuleId,
		amount_in: LinkedAmount,
		sender: &[u8],
		recipient: &[u8],
		min_received: LinkedAmount,
		client_reference: BoundedVec<u8, MaxClientReferenceLen>,
	) -> Result<TransferId, DispatchError> {
		ensure!(
			!ClientReferences::<T>::contains_key(&requester, &client_reference),
			Error::<T>::DuplicateClientReference
		);
		let terms = Self::price_terms(
			rule_id,
			amount_in,
			sender,
			recipient,
			min_received,
			Some(&requester),
		)?;
		let transfer_id = Self::peek_transfer_id()?;
		let now = frame_system::Pallet::<T>::block_number();
		let deposit_deadline =
			Self::deadline_slot(now.saturating_add(Windows::<T>::get().deposit))?;
		let requester_deposit = T::RequestDeposit::get();
		T::Currency::hold(&HoldReason::RequestDeposit.into(), &requester, requester_deposit)
			.map_err(|_| Error::<T>::CannotHoldRequestDeposit)?;

		Self::commit_terms(&terms)?;
		Self::queue_deadline(deposit_deadline, transfer_id)?;
		NextTransferId::<T>::put(transfer_id.saturating_add(1));
		let mut transfer = terms.into_transfer(
			Some(requester.clone()),
			client_reference.clone(),
			deposit_deadline,
			requester_deposit,
		);
		TransfersByRequester::<T>::insert(&requester, transfer_id, ());
		TransfersByState::<T>::insert(transfer.state, transfer_id, ());
		ClientReferences::<T>::insert(&requester, &client_reference, transfer_id);
		Self::announce(transfer_id, &transfer);
		let step = Self::connection_chain_step(StepKind::Request, amount_in);
		Self::push_step(transfer_id, &mut transfer, step);
		Transfers::<T>::insert(transfer_id, transfer);
		Ok(transfer_id)
	}

	/// A deposit naming a rule ([`DepositReference::NewTransfer`]) opens a transfer with the
	/// deposit as its source leg, checked and priced as a request with the same terms would be,
	/// and holds the deposit at once. Nothing is changed if it is refused.
	pub(crate) fn open_by_deposit(
		deposit: VaultDeposit,
		new_transfer: (RuleId, LinkedAccount, LinkedAmount),
	) -> Result<TransferId, DepositRejection> {
		let (rule_id, recipient, min_received) = new_transfer;
		let VaultDeposit { chain, from, amount, .. } = deposit;
		let source_chain = Rules::<T>::get(rule_id).map(|rule| rule.source_chain);
		ensure!(source_chain.is_none_or(|source| source == chain), DepositRejection::WrongChain);
		let terms = Self::price_terms(
			rule_id,
			amount,
			from.as_ref(),
			recipient.as_ref(),
			min_received,
			None,
		)?;
		let transfer_id = Self::peek_transfer_id()?;
		let payout_deadline = Self::payout_deadline_slot()?;

		Self::commit_terms(&terms)?;
		NextTransferId::<T>::put(transfer_id.saturating_add(1));
		// Accepted on arrival: the deposit deadline is now, and nothing is queued for it.
		let now = frame_system::Pallet::<T>::block_number();
		let transfer = terms.into_transfer(None, BoundedVec::new(), now, Zero::zero());
		Self::announce(transfer_id, &transfer);
		Self::hold_deposit(transfer_id, transfer, deposit, payout_deadline)?;
		Ok(transfer_id)
	}

	/// Checks a new transfer's terms and prices it, reading only: the rule and its chains, the
	/// accounts, the quote against `min_received`, the operator's settlement account, the source
	/// chain's volume limit and the operator's free liquidity on the destination chain.
	fn price_terms(
		rule_id: RuleId,
		amount_in: LinkedAmount,
		sender: &[u8],
		recipient: &[u8],
		min_received: LinkedAmount,
		requester: Option<&T::AccountId>,
	) -> Result<TransferTerms<T>, DispatchError> {
		ensure!(!amount_in.is_zero(), Error::<T>::ZeroAmount);
		let rule = Rules::<T>::get(rule_id).ok_or(Error::<T>::UnknownRule)?;
		let source_chain = Chains::<T>::get(rule.source_chain).ok_or(Error::<T>::UnknownChain)?;
		let destination_chain =
			Chains::<T>::get(rule.destination_chain).ok_or(Error::<T>::UnknownChain)?;
		ensure!(
			source_chain.status == ChainStatus::Active
				&& destination_chain.status == ChainStatus::Active,
			Error::<T>::ChainPaused
		);
		let sender =
			LinkedAccount::parse(source_chain.kind, sender).ok_or(Error::<T>::MalformedAccount)?;
		let recipient = LinkedAccount::parse(destination_chain.kind, recipient)
			.ok_or(Error::<T>::MalformedAccount)?;

		let quote = Self::quote_for(rule_id, amount_in, requester).map_err(quote_error::<T>)?;
		ensure!(quote.amount_out >= min_received, Error::<T>::BelowMinReceived);
		ensure!(
			SettlementAccounts::<T>::contains_key(&rule.operator, rule.source_chain),
			Error::<T>::NoSettlementAccount
		);
		let volume = Self::volume_after(rule.source_chain, &source_chain.volume_limit, amount_in)?;
		let free = OperatorLiquidity::<T>::get(&rule.operator, rule.destination_chain).free;
		ensure!(free >= quote.amount_out, Error::<T>::InsufficientLiquidity);
		Ok(TransferTerms {
			rule: rule_id,
			operator: rule.operator,
			campaign: quote.campaign,
			source: Leg { chain: rule.source_chain, account: sender, amount: amount_in },
			destination: Leg {
				chain: rule.destination_chain,
				account: recipient,
				amount: quote.amount_out,
			},
			fee: quote.fee,
			min_received,
			volume,
		})
	}

	/// Takes what priced terms need: the payout is reserved from the operator's liquidity, the
	/// volume counted on the source chain, the campaign's budget used and the transfer counted
	/// among the operator's open ones. Fails only if the books would not balance.
	fn commit_terms(terms: &TransferTerms<T>) -> DispatchResult {
		let destination = &terms.destination;
		Books::<T>::reserve_payout(&terms.operator, destination.chain, destination.amount)?;
		ChainVolume::<T>::insert(terms.source.chain, terms.volume);
		if let Some(campaign) = terms.campaign {
			Self::use_campaign_budget(campaign, terms.source.amount, true);
		}
		Self::mutate_operator(&terms.operator, |info| info.open_transfers.saturating_inc());
		Ok(())
	}

	/// What the chain's volume period would be with `amount` more, refusing to pass the limit.
	fn volume_after(
		chain: ChainId,
		limit: &VolumeLimit<BlockNumberFor<T>>,
		amount: LinkedAmount,
	) -> Result<(BlockNumberFor<T>, LinkedAmount), DispatchError> {
		let now = frame_system::Pallet::<T>::block_number();
		let (mut period_start, mut used) = ChainVolume::<T>::get(chain);
		if now >= period_start.saturating_add(limit.period) {
			(period_start, used) = (now, 0);
		}
		let total = used.checked_add(amount).ok_or(Error::<T>::Overflow)?;
		ensure!(total <= limit.max_per_period, Error::<T>::VolumeLimitExceeded);
		Ok((period_start, total))
	}

	/// The id the next transfer gets, if one more fits.
	fn peek_transfer_id() -> Result<TransferId, DispatchError> {
		let transfer_id = NextTransferId::<T>::get();
		transfer_id.checked_add(1).ok_or(Error::<T>::Overflow)?;
		Ok(transfer_id)
	}

	/// Announces a new transfer ([`Event::TransferRequested`]), as its record states it.
	fn announce(transfer_id: TransferId, transfer: &TransferOf<T>) {
		Self::deposit_event(Event::TransferRequested {
			transfer: transfer_id,
			requester: transfer.requester.clone(),
			rule: transfer.rule,
			amount_in: transfer.source.amount,
			amount_out: transfer.destination.amount,
			fee: transfer.fee,
			campaign: transfer.campaign,
			deposit_deadline: transfer.deposit_deadline,
		});
	}

	pub(crate) fn do_cancel_transfer(
		requester: T::AccountId,
		transfer_id: TransferId,
	) -> DispatchResult {
		let transfer = Transfers::<T>::get(transfer_id).ok_or(Error::<T>::UnknownTransfer)?;
		ensure!(transfer.requester.as_ref() == Some(&requester), Error::<T>::NotRequester);
		ensure!(transfer.state == TransferState::AwaitingDeposit, Error::<T>::InvalidTransferState);
		let (step, state) = (StepKind::Cancellation, TransferState::Cancelled);
		Self::end_without_deposit(transfer_id, transfer, step, state)
	}

	/// Ends a transfer that never received its deposit: the operator's reservation and the
	/// campaign budget are released; nothing moved on any linked chain.
	pub(crate) fn end_without_deposit(
		transfer_id: TransferId,
		mut transfer: TransferOf<T>,
		step: StepKind,
		state: TransferState,
	) -> DispatchResult {
		let destination = transfer.destination;
		Books::<T>::release_reservation(&transfer.operator, destination.chain, destination.amount)?;
		Self::push_step(transfer_id, &mut transfer, Self::connection_chain_step(step, 0));
		Self::finish(transfer_id, transfer, state);
		Ok(())
	}

	/// Puts a transfer in a terminal state: releases the request deposit and, unless it
	/// completed, the campaign budget it used.
	pub(crate) fn finish(
		transfer_id: TransferId,
		mut transfer: TransferOf<T>,
		state: TransferState,
	) {
		Self::set_state(transfer_id, &mut transfer, state);
		if let Some(requester) = &transfer.requester {
			if let Err(error) = T::Currency::release(
				&HoldReason::RequestDeposit.into(),
				requester,
				transfer.requester_deposit,
				Precision::BestEffort,
			) {
				log::error!(target: LOG_TARGET, "releasing the request deposit of transfer {transfer_id} failed: {error:?}");
			}
		}
		if let (true, Some(campaign)) = (state != TransferState::Completed, transfer.campaign) {
			Self::use_campaign_budget(campaign, transfer.source.amount, false);
		}
		Self::mutate_operator(&transfer.operator, |info| info.open_transfers.saturating_dec());
		Transfers::<T>::insert(transfer_id, transfer);
	}

	/// Moves a transfer to `state`, with the hold state that goes with it, in its state index.
	pub(crate) fn set_state(
		transfer_id: TransferId,
		transfer: &mut TransferOf<T>,
		state: TransferState,
	) {
		let from = transfer.state;
		TransfersByState::<T>::remove(from, transfer_id);
		TransfersByState::<T>::insert(state, transfer_id, ());
		transfer.state = state;
		transfer.hold = state.hold();
		Self::deposit_event(Event::TransferStateChanged { transfer: transfer_id, from, to: state });
	}
}

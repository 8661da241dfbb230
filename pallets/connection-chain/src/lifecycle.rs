//! The transfer lifecycle and the vault ledgers: every state change of a transfer, every trail
//! step and every movement the vaults must make goes through the functions here, so the
//! ledgers and indices change in one place.

use crate::{pallet::*, quote, types::*, WeightInfo, LOG_TARGET};
use alloc::{vec, vec::Vec};
use frame_support::{
	defensive,
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, MutateHold},
		tokens::Precision,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_core::H256;
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult,
};

/// How far past its due block a deadline may be queued when that block's queue is full.
const MAX_DEADLINE_SLIP: u32 = 64;

/// How an outbound instruction ended on its chain.
pub(crate) enum Outcome {
	/// Final: the transfer happened.
	Final(LinkedTx),
	/// Included but failed, or provably never to be included: nothing moved.
	Failed(Option<LinkedTx>, FailureReason),
}

/// A new transfer's terms, checked and priced ([`Pallet::take_terms`]).
pub(crate) struct TransferTerms<T: Config> {
	rule: RuleId,
	operator: T::AccountId,
	campaign: Option<CampaignId>,
	source: Leg,
	destination: Leg,
	fee: LinkedAmount,
	min_received: LinkedAmount,
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
			state: TransferState::AwaitingDeposit,
			hold: HoldState::AwaitingDeposit,
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
	// ---- Rules and campaigns ----

	pub(crate) fn do_set_rule(
		operator: T::AccountId,
		source: ChainId,
		destination: ChainId,
		terms: RuleTerms<BlockNumberFor<T>>,
	) -> DispatchResult {
		ensure!(Operators::<T>::contains_key(&operator), Error::<T>::NotOperator);
		ensure!(source != destination, Error::<T>::SameChain);
		ensure!(
			Chains::<T>::contains_key(source) && Chains::<T>::contains_key(destination),
			Error::<T>::UnknownChain
		);
		ensure!(
			!terms.rate.numerator.is_zero() && quote::is_valid_rate(&terms.rate),
			Error::<T>::BadRate
		);
		let window_ok = terms.valid_until.is_none_or(|until| until >= terms.valid_from);
		ensure!(
			window_ok && !terms.max_amount.is_zero() && terms.min_amount <= terms.max_amount,
			Error::<T>::BadRuleLimits
		);
		let rule_id = match RuleByPair::<T>::get((&operator, source, destination)) {
			Some(id) => id,
			None => {
				let id = NextRuleId::<T>::get();
				NextRuleId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
				RuleByPair::<T>::insert((&operator, source, destination), id);
				Operators::<T>::mutate(&operator, |info| {
					if let Some(info) = info {
						info.rules.saturating_inc();
					}
				});
				id
			}
		};
		let rule = Rule {
			operator: operator.clone(),
			source_chain: source,
			destination_chain: destination,
			terms,
		};
		Rules::<T>::insert(rule_id, rule);
		Self::deposit_event(Event::RuleSet { rule: rule_id, operator, source, destination });
		Ok(())
	}

	fn owned_rule(operator: &T::AccountId, rule_id: RuleId) -> Result<RuleOf<T>, DispatchError> {
		let rule = Rules::<T>::get(rule_id).ok_or(Error::<T>::UnknownRule)?;
		ensure!(&rule.operator == operator, Error::<T>::NotRuleOwner);
		Ok(rule)
	}

	pub(crate) fn do_remove_rule(operator: T::AccountId, rule_id: RuleId) -> DispatchResult {
		let rule = Self::owned_rule(&operator, rule_id)?;
		for campaign in RuleCampaigns::<T>::take(rule_id) {
			Campaigns::<T>::remove(campaign);
		}
		RuleByPair::<T>::remove((&operator, rule.source_chain, rule.destination_chain));
		Rules::<T>::remove(rule_id);
		Operators::<T>::mutate(&operator, |info| {
			if let Some(info) = info {
				info.rules.saturating_dec();
			}
		});
		Self::deposit_event(Event::RuleRemoved { rule: rule_id });
		Ok(())
	}

	pub(crate) fn do_create_campaign(
		operator: T::AccountId,
		rule_id: RuleId,
		terms: CampaignTerms<BalanceOf<T>, BlockNumberFor<T>>,
	) -> DispatchResult {
		Self::owned_rule(&operator, rule_id)?;
		let changes_something = terms.rate.is_some() || terms.fee.is_some();
		ensure!(terms.ends_at >= terms.starts_at && changes_something, Error::<T>::BadCampaign);
		if let Some(rate) = &terms.rate {
			ensure!(!rate.numerator.is_zero() && quote::is_valid_rate(rate), Error::<T>::BadRate);
		}
		let campaign_id = NextCampaignId::<T>::get();
		RuleCampaigns::<T>::try_mutate(rule_id, |campaigns| {
			campaigns.try_push(campaign_id).map_err(|_| Error::<T>::TooManyCampaigns)
		})?;
		NextCampaignId::<T>::put(campaign_id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		Campaigns::<T>::insert(campaign_id, Campaign { rule: rule_id, terms, used: 0 });
		Self::deposit_event(Event::CampaignCreated { campaign: campaign_id, rule: rule_id });
		Ok(())
	}

	pub(crate) fn do_end_campaign(
		operator: T::AccountId,
		campaign_id: CampaignId,
	) -> DispatchResult {
		let campaign = Campaigns::<T>::get(campaign_id).ok_or(Error::<T>::UnknownCampaign)?;
		Self::owned_rule(&operator, campaign.rule)?;
		RuleCampaigns::<T>::mutate(campaign.rule, |campaigns| {
			campaigns.retain(|id| *id != campaign_id)
		});
		Campaigns::<T>::remove(campaign_id);
		Self::deposit_event(Event::CampaignEnded { campaign: campaign_id });
		Ok(())
	}

	/// The best quote for `amount_in` under `rule_id` now, for `requester` (whose holding
	/// decides holder-only campaigns; `None` leaves those out).
	pub fn quote_for(
		rule_id: RuleId,
		amount_in: LinkedAmount,
		requester: Option<&T::AccountId>,
	) -> Result<Quote, QuoteError> {
		let rule = Rules::<T>::get(rule_id).ok_or(QuoteError::UnknownRule)?;
		let campaigns: Vec<(CampaignId, CampaignOf<T>)> = RuleCampaigns::<T>::get(rule_id)
			.into_iter()
			.filter_map(|id| Campaigns::<T>::get(id).map(|campaign| (id, campaign)))
			.collect();
		let holding = requester.map(T::Currency::total_balance);
		let now = frame_system::Pallet::<T>::block_number();
		quote::best_quote(&rule, &campaigns, amount_in, &now, holding.as_ref())
	}

	// ---- Liquidity ----

	pub(crate) fn do_withdraw_liquidity(
		operator: T::AccountId,
		chain: ChainId,
		amount: LinkedAmount,
	) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		ensure!(Operators::<T>::contains_key(&operator), Error::<T>::NotOperator);
		ensure!(Chains::<T>::contains_key(chain), Error::<T>::UnknownChain);
		let to = SettlementAccounts::<T>::get(&operator, chain)
			.ok_or(Error::<T>::NoSettlementAccount)?;
		OperatorLiquidity::<T>::try_mutate(&operator, chain, |liquidity| {
			liquidity.free =
				liquidity.free.checked_sub(amount).ok_or(Error::<T>::InsufficientLiquidity)?;
			Ok::<_, Error<T>>(())
		})?;
		VaultLedgers::<T>::mutate(chain, |ledger| {
			ledger.operator_liquidity = ledger.operator_liquidity.saturating_sub(amount)
		});
		Operators::<T>::mutate(&operator, |info| {
			if let Some(info) = info {
				info.pending_withdrawals.saturating_inc();
			}
		});
		let instruction = Self::create_instruction(
			chain,
			OutboundPurpose::Withdrawal(operator.clone()),
			to,
			amount,
			1,
		);
		Self::deposit_event(Event::LiquidityWithdrawalRequested {
			operator,
			chain,
			amount,
			instruction,
		});
		Ok(())
	}

	fn credit_liquidity(operator: &T::AccountId, chain: ChainId, amount: LinkedAmount) {
		Self::credit_back(operator, chain, amount);
		OperatorLiquidity::<T>::mutate(operator, chain, |liquidity| {
			liquidity.total_deposited = liquidity.total_deposited.saturating_add(amount)
		});
		Self::deposit_event(Event::LiquidityDeposited {
			operator: operator.clone(),
			chain,
			amount,
		});
	}

	// ---- Requests ----

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
		let terms = Self::take_terms(
			rule_id,
			amount_in,
			sender,
			recipient,
			min_received,
			Some(&requester),
		)?;
		let requester_deposit = T::RequestDeposit::get();
		T::Currency::hold(&HoldReason::RequestDeposit.into(), &requester, requester_deposit)
			.map_err(|_| Error::<T>::CannotHoldRequestDeposit)?;

		let transfer_id = Self::next_transfer_id()?;
		let now = frame_system::Pallet::<T>::block_number();
		let deposit_deadline =
			Self::schedule_deadline(now.saturating_add(Windows::<T>::get().deposit), transfer_id)?;
		let mut transfer = terms.into_transfer(
			Some(requester.clone()),
			client_reference.clone(),
			deposit_deadline,
			requester_deposit,
		);
		TransfersByRequester::<T>::insert(&requester, transfer_id, ());
		TransfersByState::<T>::insert(TransferState::AwaitingDeposit, transfer_id, ());
		ClientReferences::<T>::insert(&requester, &client_reference, transfer_id);
		Self::announce(transfer_id, &transfer);
		Self::push_step(
			transfer_id,
			&mut transfer,
			Self::connection_chain_step(StepKind::Request, amount_in),
		);
		Transfers::<T>::insert(transfer_id, transfer);
		Ok(transfer_id)
	}

	/// A deposit naming a rule ([`DepositReference::NewTransfer`]) opens a transfer with the
	/// deposit as its source leg, checked and priced as a request with the same terms would be,
	/// and holds the deposit at once. Nothing is changed if it is refused.
	fn open_by_deposit(
		chain: ChainId,
		tx: LinkedTx,
		from: LinkedAccount,
		amount: LinkedAmount,
		rule_id: RuleId,
		recipient: LinkedAccount,
		min_received: LinkedAmount,
	) -> Result<TransferId, DepositRejection> {
		let source_chain = Rules::<T>::get(rule_id).map(|rule| rule.source_chain);
		ensure!(source_chain.is_none_or(|source| source == chain), DepositRejection::WrongChain);
		frame_support::storage::with_storage_layer(|| {
			let terms = Self::take_terms(
				rule_id,
				amount,
				from.as_ref(),
				recipient.as_ref(),
				min_received,
				None,
			)?;
			let transfer_id = Self::next_transfer_id()?;
			// Accepted on arrival: the deposit deadline is now, and nothing is queued for it.
			let now = frame_system::Pallet::<T>::block_number();
			let transfer = terms.into_transfer(None, BoundedVec::new(), now, Zero::zero());
			Self::announce(transfer_id, &transfer);
			Self::hold_deposit(transfer_id, transfer, chain, tx, from, amount)?;
			Ok(transfer_id)
		})
	}

	/// Checks a new transfer's terms and prices it; counts its volume on the source chain,
	/// reserves its payout from the operator's liquidity, uses its campaign's budget and counts
	/// it among the operator's open transfers. A caller that fails after this must not commit
	/// (extrinsics roll back on error; [`Self::open_by_deposit`] uses a storage layer).
	fn take_terms(
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

		let now = frame_system::Pallet::<T>::block_number();
		Self::count_volume(rule.source_chain, &source_chain.volume_limit, amount_in, now)?;

		// Reserve the payout from the operator's free liquidity on the destination chain.
		OperatorLiquidity::<T>::try_mutate(&rule.operator, rule.destination_chain, |liquidity| {
			liquidity.free = liquidity
				.free
				.checked_sub(quote.amount_out)
				.ok_or(Error::<T>::InsufficientLiquidity)?;
			liquidity.reserved = liquidity.reserved.saturating_add(quote.amount_out);
			Ok::<_, Error<T>>(())
		})?;
		if let Some(campaign) = quote.campaign {
			Campaigns::<T>::mutate(campaign, |entry| {
				if let Some(campaign) = entry {
					campaign.used = campaign.used.saturating_add(amount_in);
				}
			});
		}
		Operators::<T>::mutate(&rule.operator, |info| {
			if let Some(info) = info {
				info.open_transfers.saturating_inc();
			}
		});
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
		})
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

	/// How many campaigns `rule` has, read from the length prefix of its list (which the quote
	/// reads anyway: no second database read).
	pub(crate) fn campaign_count(rule: RuleId) -> u32 {
		// At most `MaxCampaignsPerRule`, a `u32`.
		RuleCampaigns::<T>::decode_len(rule).unwrap_or(0) as u32
	}

	fn next_transfer_id() -> Result<TransferId, DispatchError> {
		let transfer_id = NextTransferId::<T>::get();
		NextTransferId::<T>::put(transfer_id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		Ok(transfer_id)
	}

	/// A step on the connection chain only, done now.
	fn connection_chain_step(kind: StepKind, amount: LinkedAmount) -> TrailStep<BlockNumberFor<T>> {
		let stamp = Self::stamp();
		TrailStep {
			kind,
			chain: None,
			instruction: None,
			amount,
			tx_hash: None,
			block: None,
			result: StepResult::Succeeded,
			requested: stamp,
			fixed: Some(stamp),
		}
	}

	/// Adds `amount` to what the chain gave out this period, refusing to pass the limit.
	fn count_volume(
		chain: ChainId,
		limit: &VolumeLimit<BlockNumberFor<T>>,
		amount: LinkedAmount,
		now: BlockNumberFor<T>,
	) -> DispatchResult {
		ChainVolume::<T>::try_mutate(chain, |(period_start, used)| {
			if now >= period_start.saturating_add(limit.period) {
				*period_start = now;
				*used = 0;
			}
			let total = used.checked_add(amount).ok_or(Error::<T>::Overflow)?;
			ensure!(total <= limit.max_per_period, Error::<T>::VolumeLimitExceeded);
			*used = total;
			Ok(())
		})
	}

	pub(crate) fn do_cancel_transfer(
		requester: T::AccountId,
		transfer_id: TransferId,
	) -> DispatchResult {
		let transfer = Transfers::<T>::get(transfer_id).ok_or(Error::<T>::UnknownTransfer)?;
		ensure!(transfer.requester.as_ref() == Some(&requester), Error::<T>::NotRequester);
		ensure!(transfer.state == TransferState::AwaitingDeposit, Error::<T>::InvalidTransferState);
		Self::end_without_deposit(
			transfer_id,
			transfer,
			StepKind::Cancellation,
			TransferState::Cancelled,
		);
		Ok(())
	}

	/// Ends a transfer that never received its deposit: the operator's reservation and the
	/// campaign budget are released; nothing moved on any linked chain.
	fn end_without_deposit(
		transfer_id: TransferId,
		mut transfer: TransferOf<T>,
		step: StepKind,
		state: TransferState,
	) {
		OperatorLiquidity::<T>::mutate(
			&transfer.operator,
			transfer.destination.chain,
			|liquidity| {
				liquidity.reserved = liquidity.reserved.saturating_sub(transfer.destination.amount);
				liquidity.free = liquidity.free.saturating_add(transfer.destination.amount);
			},
		);
		transfer.hold = HoldState::NeverDeposited;
		Self::push_step(transfer_id, &mut transfer, Self::connection_chain_step(step, 0));
		Self::finish(transfer_id, transfer, state);
	}

	/// Puts a transfer in a terminal state: releases the request deposit and, unless it
	/// completed, the campaign budget it used.
	fn finish(transfer_id: TransferId, mut transfer: TransferOf<T>, state: TransferState) {
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
		if state != TransferState::Completed {
			if let Some(campaign) = transfer.campaign {
				Campaigns::<T>::mutate(campaign, |entry| {
					if let Some(campaign) = entry {
						campaign.used = campaign.used.saturating_sub(transfer.source.amount);
					}
				});
			}
		}
		Operators::<T>::mutate(&transfer.operator, |info| {
			if let Some(info) = info {
				info.open_transfers.saturating_dec();
			}
		});
		Transfers::<T>::insert(transfer_id, transfer);
	}

	fn set_state(transfer_id: TransferId, transfer: &mut TransferOf<T>, state: TransferState) {
		let from = transfer.state;
		TransfersByState::<T>::remove(from, transfer_id);
		TransfersByState::<T>::insert(state, transfer_id, ());
		transfer.state = state;
		Self::deposit_event(Event::TransferStateChanged { transfer: transfer_id, from, to: state });
	}

	fn push_step(
		transfer_id: TransferId,
		transfer: &mut TransferOf<T>,
		step: TrailStep<BlockNumberFor<T>>,
	) {
		let (kind, result) = (step.kind, step.result.clone());
		if transfer.trail.try_push(step).is_err() {
			// The trail is sized for the longest possible lifecycle (see `MaxTrailSteps`).
			defensive!("trail of a transfer is full");
			return;
		}
		let index = transfer.trail.len().saturating_sub(1) as u32;
		Self::deposit_event(Event::TrailStepRecorded {
			transfer: transfer_id,
			index,
			kind,
			result,
		});
	}

	/// Records the outcome of the trail step executed by `instruction`, with its transaction
	/// hash and block where known (a submission has a hash but no block yet).
	fn fix_step(
		transfer_id: TransferId,
		transfer: &mut TransferOf<T>,
		instruction: InstructionId,
		tx_hash: Option<H256>,
		block: Option<LinkedBlock>,
		result: StepResult,
	) {
		let Some(index) = transfer.trail.iter().rposition(|s| s.instruction == Some(instruction))
		else {
			defensive!("no trail step for an instruction of the transfer");
			return;
		};
		let stamp = Self::stamp();
		let step = &mut transfer.trail[index];
		if tx_hash.is_some() {
			step.tx_hash = tx_hash;
		}
		if block.is_some() {
			step.block = block;
		}
		step.result = result.clone();
		if !matches!(result, StepResult::Submitted) {
			step.fixed = Some(stamp);
		}
		let kind = step.kind;
		Self::deposit_event(Event::TrailStepRecorded {
			transfer: transfer_id,
			index: index as u32,
			kind,
			result,
		});
	}

	/// Adds a pending trail step for a vault transfer made by `instruction`.
	fn push_vault_step(
		transfer_id: TransferId,
		transfer: &mut TransferOf<T>,
		kind: StepKind,
		chain: ChainId,
		instruction: InstructionId,
		amount: LinkedAmount,
	) {
		Self::push_step(
			transfer_id,
			transfer,
			TrailStep {
				kind,
				chain: Some(chain),
				instruction: Some(instruction),
				amount,
				tx_hash: None,
				block: None,
				result: StepResult::Pending,
				requested: Self::stamp(),
				fixed: None,
			},
		);
	}

	// ---- Outbound instructions ----

	/// Records that the vault of `chain` must pay `amount` to `recipient`.
	pub(crate) fn create_instruction(
		chain: ChainId,
		purpose: OutboundPurpose<T::AccountId>,
		recipient: LinkedAccount,
		amount: LinkedAmount,
		attempt: u8,
	) -> InstructionId {
		let id = NextInstructionId::<T>::get();
		NextInstructionId::<T>::put(id.saturating_add(1));
		let nonce = NextVaultNonce::<T>::mutate(chain, |next| {
			let nonce = *next;
			*next = next.saturating_add(1);
			nonce
		});
		Outbound::<T>::insert(
			id,
			OutboundInstruction {
				chain,
				purpose: purpose.clone(),
				recipient,
				amount,
				nonce,
				status: OutboundStatus::Pending,
				attempt,
				cancel_requested: false,
				created: frame_system::Pallet::<T>::block_number(),
			},
		);
		PendingOutbound::<T>::insert(chain, id, ());
		VaultLedgers::<T>::mutate(chain, |ledger| {
			ledger.pending_outbound = ledger.pending_outbound.saturating_add(amount)
		});
		Self::deposit_event(Event::InstructionCreated {
			instruction: id,
			chain,
			purpose,
			recipient,
			amount,
		});
		id
	}

	/// Ends an instruction: it leaves the pending index and the vault no longer owes it.
	fn conclude_instruction(
		id: InstructionId,
		instruction: &mut InstructionOf<T>,
		status: OutboundStatus,
	) {
		instruction.status = status;
		Outbound::<T>::insert(id, &*instruction);
		PendingOutbound::<T>::remove(instruction.chain, id);
		VaultLedgers::<T>::mutate(instruction.chain, |ledger| {
			ledger.pending_outbound = ledger.pending_outbound.saturating_sub(instruction.amount)
		});
		Self::deposit_event(Event::InstructionConcluded { instruction: id, status });
	}

	pub(crate) fn instruction_is_open(status: &OutboundStatus) -> bool {
		matches!(status, OutboundStatus::Pending | OutboundStatus::Included { .. })
	}

	/// The instruction's transaction is in a block of its chain, not yet final.
	pub(crate) fn apply_inclusion(id: InstructionId, tx: LinkedTx) -> bool {
		let Some(mut instruction) = Outbound::<T>::get(id) else { return false };
		if instruction.status != OutboundStatus::Pending {
			return false;
		}
		instruction.status = OutboundStatus::Included { tx };
		Outbound::<T>::insert(id, &instruction);
		for transfer_id in Self::transfers_of(&instruction.purpose) {
			if let Some(mut transfer) = Transfers::<T>::get(transfer_id) {
				let (hash, block) = (Some(tx.hash), Some(tx.block));
				Self::fix_step(transfer_id, &mut transfer, id, hash, block, StepResult::Submitted);
				Transfers::<T>::insert(transfer_id, transfer);
			}
		}
		true
	}

	/// Takes the fee the vault paid for an instruction's transaction out of the free
	/// liquidity of the operator it served (the operator is paid back by its rules' fees);
	/// what that cannot cover is recorded as unpaid, so the ledger keeps matching the vault.
	fn charge_vault_fee(id: InstructionId, instruction: &InstructionOf<T>, fee: LinkedAmount) {
		if fee.is_zero() {
			return;
		}
		let chain = instruction.chain;
		let operator = match &instruction.purpose {
			OutboundPurpose::Withdrawal(operator) => Some(operator.clone()),
			// A settlement's transfers all have the same operator.
			purpose => Self::transfers_of(purpose)
				.first()
				.and_then(Transfers::<T>::get)
				.map(|transfer| transfer.operator),
		};
		let mut covered = 0;
		if let Some(operator) = &operator {
			OperatorLiquidity::<T>::mutate(operator, chain, |liquidity| {
				covered = liquidity.free.min(fee);
				liquidity.free = liquidity.free.saturating_sub(covered);
				liquidity.total_fees = liquidity.total_fees.saturating_add(covered);
			});
		}
		let unpaid = fee.saturating_sub(covered);
		VaultLedgers::<T>::mutate(chain, |ledger| {
			ledger.operator_liquidity = ledger.operator_liquidity.saturating_sub(covered);
			ledger.unpaid_fees = ledger.unpaid_fees.saturating_add(unpaid);
		});
		Self::deposit_event(Event::VaultFeePaid { chain, instruction: id, fee, operator, unpaid });
	}

	/// The transfers an instruction moves funds for, in the order they joined it.
	pub(crate) fn transfers_of(purpose: &OutboundPurpose<T::AccountId>) -> Vec<TransferId> {
		match purpose {
			OutboundPurpose::Payout(id) | OutboundPurpose::Refund(id) => vec![*id],
			OutboundPurpose::Settlement(batch) => {
				SettlementBatches::<T>::get(batch).map(Vec::from).unwrap_or_default()
			}
			OutboundPurpose::Withdrawal(_) | OutboundPurpose::DepositReturn(_) => Vec::new(),
		}
	}

	/// An instruction's transaction is final, failed, or provably dead.
	pub(crate) fn apply_outcome(id: InstructionId, outcome: Outcome, fee: LinkedAmount) -> bool {
		let Some(mut instruction) = Outbound::<T>::get(id) else { return false };
		if !Self::instruction_is_open(&instruction.status) {
			return false;
		}
		Self::charge_vault_fee(id, &instruction, fee);
		match outcome {
			Outcome::Final(tx) => {
				Self::conclude_instruction(id, &mut instruction, OutboundStatus::Final);
				match instruction.purpose.clone() {
					OutboundPurpose::Payout(t) => Self::payout_final(t, id, tx),
					OutboundPurpose::Settlement(batch) => {
						for t in SettlementBatches::<T>::take(batch).into_iter().flatten() {
							Self::vault_step_final(t, id, tx, TransferState::Completed)
						}
					}
					OutboundPurpose::Refund(t) => {
						Self::vault_step_final(t, id, tx, TransferState::Refunded)
					}
					OutboundPurpose::Withdrawal(operator) => {
						OperatorLiquidity::<T>::mutate(&operator, instruction.chain, |liquidity| {
							liquidity.total_withdrawn =
								liquidity.total_withdrawn.saturating_add(instruction.amount)
						});
						Self::withdrawal_ended(&operator);
					}
					OutboundPurpose::DepositReturn(_) => {}
				}
			}
			Outcome::Failed(tx, reason) => match instruction.purpose.clone() {
				OutboundPurpose::Payout(t) => {
					Self::conclude_instruction(id, &mut instruction, OutboundStatus::Failed);
					Self::payout_failed(t, id, &instruction, tx, reason);
				}
				OutboundPurpose::Withdrawal(operator) => {
					Self::conclude_instruction(id, &mut instruction, OutboundStatus::Failed);
					// Nothing left the vault: the liquidity is the operator's again.
					Self::credit_back(&operator, instruction.chain, instruction.amount);
					Self::withdrawal_ended(&operator);
				}
				OutboundPurpose::Settlement(_)
				| OutboundPurpose::Refund(_)
				| OutboundPurpose::DepositReturn(_) => Self::retry_or_stick(id, instruction, tx, reason),
			},
		}
		true
	}

	fn credit_back(operator: &T::AccountId, chain: ChainId, amount: LinkedAmount) {
		OperatorLiquidity::<T>::mutate(operator, chain, |liquidity| {
			liquidity.free = liquidity.free.saturating_add(amount)
		});
		VaultLedgers::<T>::mutate(chain, |ledger| {
			ledger.operator_liquidity = ledger.operator_liquidity.saturating_add(amount)
		});
	}

	fn withdrawal_ended(operator: &T::AccountId) {
		Operators::<T>::mutate(operator, |info| {
			if let Some(info) = info {
				info.pending_withdrawals.saturating_dec();
			}
		});
	}

	/// A settlement, refund or deposit return failed: nothing moved and the vault still owes
	/// the amount, so it is tried again as a new instruction, or parked for the admin after
	/// [`MAX_OUTBOUND_ATTEMPTS`].
	fn retry_or_stick(
		id: InstructionId,
		mut instruction: InstructionOf<T>,
		tx: Option<LinkedTx>,
		reason: FailureReason,
	) {
		for transfer_id in Self::transfers_of(&instruction.purpose) {
			if let Some(mut record) = Transfers::<T>::get(transfer_id) {
				let (hash, block) = (tx.map(|tx| tx.hash), tx.map(|tx| tx.block));
				Self::fix_step(
					transfer_id,
					&mut record,
					id,
					hash,
					block,
					StepResult::Failed(reason.clone()),
				);
				Transfers::<T>::insert(transfer_id, record);
			}
		}
		if instruction.attempt >= MAX_OUTBOUND_ATTEMPTS {
			// Still owed: it stays in the ledger, but the workers stop trying.
			instruction.status = OutboundStatus::Stuck;
			Outbound::<T>::insert(id, &instruction);
			PendingOutbound::<T>::remove(instruction.chain, id);
			Self::deposit_event(Event::InstructionStuck { instruction: id });
			return;
		}
		Self::conclude_instruction(id, &mut instruction, OutboundStatus::Failed);
		Self::reissue(&instruction, instruction.attempt.saturating_add(1));
	}

	/// Creates a new instruction doing what `instruction` should have done, with its trail step.
	fn reissue(instruction: &InstructionOf<T>, attempt: u8) {
		let new_id = Self::create_instruction(
			instruction.chain,
			instruction.purpose.clone(),
			instruction.recipient,
			instruction.amount,
			attempt,
		);
		let kind = match instruction.purpose {
			OutboundPurpose::Settlement(_) => StepKind::Settlement,
			OutboundPurpose::Refund(_) => StepKind::Refund,
			_ => return,
		};
		for transfer_id in Self::transfers_of(&instruction.purpose) {
			if let Some(mut record) = Transfers::<T>::get(transfer_id) {
				// Each transfer's step carries its own deposit, not the batch's sum.
				let amount = record.source.amount;
				Self::push_vault_step(
					transfer_id,
					&mut record,
					kind,
					instruction.chain,
					new_id,
					amount,
				);
				Transfers::<T>::insert(transfer_id, record);
			}
		}
	}

	pub(crate) fn do_retry_stuck(id: InstructionId) -> DispatchResult {
		let mut instruction = Outbound::<T>::get(id).ok_or(Error::<T>::UnknownInstruction)?;
		ensure!(instruction.status == OutboundStatus::Stuck, Error::<T>::InstructionNotStuck);
		// Stuck instructions left the pending index already; this takes them out of the ledger
		// before the new attempt puts the same amount back in.
		Self::conclude_instruction(id, &mut instruction, OutboundStatus::Failed);
		Self::reissue(&instruction, 1);
		Ok(())
	}

	/// The payout is final: the hold is confirmed to the operator, who gets the held deposit.
	fn payout_final(transfer_id: TransferId, instruction: InstructionId, tx: LinkedTx) {
		let Some(mut transfer) = Transfers::<T>::get(transfer_id) else { return };
		let (hash, block) = (Some(tx.hash), Some(tx.block));
		Self::fix_step(transfer_id, &mut transfer, instruction, hash, block, StepResult::Succeeded);
		let source = transfer.source;
		transfer.hold = HoldState::ConfirmedToOperator;
		VaultLedgers::<T>::mutate(source.chain, |ledger| {
			ledger.held = ledger.held.saturating_sub(source.amount)
		});
		let settlement = SettlementAccounts::<T>::get(&transfer.operator, source.chain);
		let Some(settlement) = settlement else {
			defensive!("operator with open transfers lost its settlement account");
			return;
		};
		let settle = Self::join_settlement(
			&transfer.operator,
			source.chain,
			settlement,
			transfer_id,
			source.amount,
		);
		Self::push_vault_step(
			transfer_id,
			&mut transfer,
			StepKind::Settlement,
			source.chain,
			settle,
			source.amount,
		);
		Self::set_state(transfer_id, &mut transfer, TransferState::Settling);
		Transfers::<T>::insert(transfer_id, transfer);
	}

	/// Adds a transfer's confirmed deposit to the settlement its operator's account on `chain`
	/// gets in this block: the one opened earlier in the block if it has room, else a new one.
	/// Returns the settlement instruction.
	fn join_settlement(
		operator: &T::AccountId,
		chain: ChainId,
		recipient: LinkedAccount,
		transfer_id: TransferId,
		amount: LinkedAmount,
	) -> InstructionId {
		let now = frame_system::Pallet::<T>::block_number();
		let open = OpenSettlement::<T>::get(operator, chain)
			.filter(|(opened, _)| *opened == now)
			.and_then(|(_, id)| Outbound::<T>::get(id).map(|instruction| (id, instruction)));
		if let Some((id, mut instruction)) = open {
			let total = instruction.amount.checked_add(amount);
			let joinable =
				instruction.status == OutboundStatus::Pending && instruction.recipient == recipient;
			if let (Some(total), true, &OutboundPurpose::Settlement(batch)) =
				(total, joinable, &instruction.purpose)
			{
				let joined = SettlementBatches::<T>::mutate(batch, |transfers| {
					transfers
						.as_mut()
						.is_some_and(|transfers| transfers.try_push(transfer_id).is_ok())
				});
				if joined {
					instruction.amount = total;
					Outbound::<T>::insert(id, &instruction);
					VaultLedgers::<T>::mutate(chain, |ledger| {
						ledger.pending_outbound = ledger.pending_outbound.saturating_add(amount)
					});
					Self::deposit_event(Event::SettlementJoined {
						instruction: id,
						transfer: transfer_id,
						amount,
					});
					return id;
				}
			}
		}
		// The batch is named by the instruction that opens it: the id `create_instruction` takes.
		let batch = NextInstructionId::<T>::get();
		let id = Self::create_instruction(
			chain,
			OutboundPurpose::Settlement(batch),
			recipient,
			amount,
			1,
		);
		debug_assert_eq!(id, batch);
		SettlementBatches::<T>::insert(batch, BoundedVec::truncate_from(vec![transfer_id]));
		OpenSettlement::<T>::insert(operator, chain, (now, id));
		Self::deposit_event(Event::SettlementJoined {
			instruction: id,
			transfer: transfer_id,
			amount,
		});
		id
	}

	/// The payout cannot land: the operator's liquidity is restored and the hold is cancelled,
	/// returning the deposit to the account it came from.
	fn payout_failed(
		transfer_id: TransferId,
		instruction_id: InstructionId,
		instruction: &InstructionOf<T>,
		tx: Option<LinkedTx>,
		reason: FailureReason,
	) {
		let Some(mut transfer) = Transfers::<T>::get(transfer_id) else { return };
		let (hash, block) = (tx.map(|tx| tx.hash), tx.map(|tx| tx.block));
		Self::fix_step(
			transfer_id,
			&mut transfer,
			instruction_id,
			hash,
			block,
			StepResult::Failed(reason),
		);
		OperatorLiquidity::<T>::mutate(&transfer.operator, instruction.chain, |liquidity| {
			liquidity.total_paid_out = liquidity.total_paid_out.saturating_sub(instruction.amount)
		});
		Self::credit_back(&transfer.operator, instruction.chain, instruction.amount);

		let source = transfer.source;
		transfer.hold = HoldState::ReturnedToSender;
		VaultLedgers::<T>::mutate(source.chain, |ledger| {
			ledger.held = ledger.held.saturating_sub(source.amount)
		});
		let to = transfer.depositor.unwrap_or(source.account);
		let refund = Self::create_instruction(
			source.chain,
			OutboundPurpose::Refund(transfer_id),
			to,
			source.amount,
			1,
		);
		Self::push_vault_step(
			transfer_id,
			&mut transfer,
			StepKind::Refund,
			source.chain,
			refund,
			source.amount,
		);
		Self::set_state(transfer_id, &mut transfer, TransferState::Refunding);
		Transfers::<T>::insert(transfer_id, transfer);
	}

	/// The settlement or refund is final: the transfer ends.
	fn vault_step_final(
		transfer_id: TransferId,
		instruction: InstructionId,
		tx: LinkedTx,
		state: TransferState,
	) {
		let Some(mut transfer) = Transfers::<T>::get(transfer_id) else { return };
		let (hash, block) = (Some(tx.hash), Some(tx.block));
		Self::fix_step(transfer_id, &mut transfer, instruction, hash, block, StepResult::Succeeded);
		Self::finish(transfer_id, transfer, state);
	}

	// ---- Deposits ----

	/// A deposit into a vault is final. Returns whether it was new.
	pub(crate) fn apply_deposit(
		chain: ChainId,
		tx: LinkedTx,
		from: LinkedAccount,
		amount: LinkedAmount,
		reference: DepositReference<T::AccountId>,
	) -> bool {
		let Some(linked) = Chains::<T>::get(chain) else { return false };
		if SeenDeposits::<T>::contains_key(chain, tx.hash) || from.kind() != linked.kind {
			return false;
		}
		let mut seen = reference.clone();
		let accepted = match reference {
			DepositReference::Transfer(id) => {
				Self::accept_transfer_deposit(id, chain, tx, from, amount)
			}
			DepositReference::NewTransfer { rule, recipient, min_received } => {
				Self::open_by_deposit(chain, tx, from, amount, rule, recipient, min_received)
					// Who looks the deposit up finds the transfer it opened.
					.map(|id| seen = DepositReference::Transfer(id))
			}
			DepositReference::Liquidity(ref operator) if Operators::<T>::contains_key(operator) => {
				Self::credit_liquidity(operator, chain, amount);
				Ok(())
			}
			DepositReference::Liquidity(_) => Err(DepositRejection::UnknownOperator),
			DepositReference::Unknown => Err(DepositRejection::UnknownReference),
		};
		if let Err(reason) = accepted {
			// The deposit is in the vault all the same: return it.
			if !amount.is_zero() {
				let instruction = Self::create_instruction(
					chain,
					OutboundPurpose::DepositReturn(tx.hash),
					from,
					amount,
					1,
				);
				Self::deposit_event(Event::DepositRejected {
					chain,
					tx_hash: tx.hash,
					from,
					amount,
					reason,
					instruction,
				});
			}
		}
		SeenDeposits::<T>::insert(chain, tx.hash, seen);
		true
	}

	fn accept_transfer_deposit(
		transfer_id: TransferId,
		chain: ChainId,
		tx: LinkedTx,
		from: LinkedAccount,
		amount: LinkedAmount,
	) -> Result<(), DepositRejection> {
		let transfer = Transfers::<T>::get(transfer_id).ok_or(DepositRejection::UnknownTransfer)?;
		ensure!(transfer.source.chain == chain, DepositRejection::WrongChain);
		ensure!(
			transfer.state == TransferState::AwaitingDeposit,
			DepositRejection::NotAwaitingDeposit
		);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now <= transfer.deposit_deadline, DepositRejection::TooLate);
		ensure!(from == transfer.source.account, DepositRejection::WrongSender);
		ensure!(amount == transfer.source.amount, DepositRejection::WrongAmount);

		Ok(Self::hold_deposit(transfer_id, transfer, chain, tx, from, amount)?)
	}

	/// Holds an accepted deposit in the source vault and issues the payout. Refused, with
	/// nothing changed, if the payout's deadline finds no slot: nothing would ever end a payout
	/// that never lands.
	fn hold_deposit(
		transfer_id: TransferId,
		mut transfer: TransferOf<T>,
		chain: ChainId,
		tx: LinkedTx,
		from: LinkedAccount,
		amount: LinkedAmount,
	) -> DispatchResult {
		let now = frame_system::Pallet::<T>::block_number();
		let payout_due = now.saturating_add(Windows::<T>::get().payout);
		transfer.payout_deadline = Some(Self::schedule_deadline(payout_due, transfer_id)?);
		// The asset is held in the source vault.
		VaultLedgers::<T>::mutate(chain, |ledger| ledger.held = ledger.held.saturating_add(amount));
		transfer.hold = HoldState::Held;
		transfer.depositor = Some(from);
		let requested =
			transfer.trail.first().map(|step| step.requested).unwrap_or_else(Self::stamp);
		Self::push_step(
			transfer_id,
			&mut transfer,
			TrailStep {
				kind: StepKind::Deposit,
				chain: Some(chain),
				instruction: None,
				amount,
				tx_hash: Some(tx.hash),
				block: Some(tx.block),
				result: StepResult::Succeeded,
				requested,
				fixed: Some(Self::stamp()),
			},
		);

		// The operator's reservation becomes the payout.
		let destination = transfer.destination;
		OperatorLiquidity::<T>::mutate(&transfer.operator, destination.chain, |liquidity| {
			liquidity.reserved = liquidity.reserved.saturating_sub(destination.amount);
			liquidity.total_paid_out = liquidity.total_paid_out.saturating_add(destination.amount);
		});
		VaultLedgers::<T>::mutate(destination.chain, |ledger| {
			ledger.operator_liquidity = ledger.operator_liquidity.saturating_sub(destination.amount)
		});
		let payout = Self::create_instruction(
			destination.chain,
			OutboundPurpose::Payout(transfer_id),
			destination.account,
			destination.amount,
			1,
		);
		Self::push_vault_step(
			transfer_id,
			&mut transfer,
			StepKind::Payout,
			destination.chain,
			payout,
			destination.amount,
		);
		Self::set_state(transfer_id, &mut transfer, TransferState::PayingOut);
		Transfers::<T>::insert(transfer_id, transfer);
		Ok(())
	}

	// ---- Deadlines ----

	/// Queues a deadline check of `transfer` at block `due`, or at the first later block with
	/// room (at most [`MAX_DEADLINE_SLIP`] later). Returns the block it was queued at.
	pub(crate) fn schedule_deadline(
		due: BlockNumberFor<T>,
		transfer: TransferId,
	) -> Result<BlockNumberFor<T>, DispatchError> {
		let mut at = due;
		for _ in 0..=MAX_DEADLINE_SLIP {
			// Appended without decoding the queue: scheduling costs the same however full it is.
			if DeadlineQueue::<T>::try_append(at, transfer).is_ok() {
				return Ok(at);
			}
			at = at.saturating_add(1u32.into());
		}
		Err(Error::<T>::DeadlineQueueFull.into())
	}

	/// Checks the deadlines due up to `now`, at most `MaxDeadlinesPerBlock` of them; what is
	/// left waits for the next block.
	pub(crate) fn process_deadlines(now: BlockNumberFor<T>) -> Weight {
		let budget = T::MaxDeadlinesPerBlock::get();
		let mut cursor = DeadlineCursor::<T>::get();
		let (mut checked, mut queues_read) = (0u32, 0u32);
		// Each block whose queue is read counts against the budget too, so a long gap of empty
		// blocks is caught up over several blocks rather than in one.
		while cursor <= now && checked.saturating_add(queues_read) < budget {
			queues_read.saturating_inc();
			let mut queue = DeadlineQueue::<T>::get(cursor);
			let room = budget.saturating_sub(checked.saturating_add(queues_read)) as usize;
			let take = queue.len().min(room);
			let due: Vec<TransferId> = queue.drain(..take).collect();
			for transfer in due {
				Self::check_deadline(transfer, now);
				checked.saturating_inc();
			}
			if queue.is_empty() {
				DeadlineQueue::<T>::remove(cursor);
				cursor = cursor.saturating_add(1u32.into());
			} else {
				DeadlineQueue::<T>::insert(cursor, queue);
				break;
			}
		}
		DeadlineCursor::<T>::put(cursor);
		T::WeightInfo::process_deadlines(checked, queues_read)
	}

	fn check_deadline(transfer_id: TransferId, now: BlockNumberFor<T>) {
		let Some(transfer) = Transfers::<T>::get(transfer_id) else { return };
		match transfer.state {
			TransferState::AwaitingDeposit if now >= transfer.deposit_deadline => {
				Self::end_without_deposit(
					transfer_id,
					transfer,
					StepKind::Expiry,
					TransferState::Expired,
				)
			}
			TransferState::PayingOut if transfer.payout_deadline.is_some_and(|due| now >= due) => {
				let payout = transfer
					.trail
					.iter()
					.rev()
					.find(|step| step.kind == StepKind::Payout)
					.and_then(|step| step.instruction);
				let Some(instruction) = payout else { return };
				Outbound::<T>::mutate(instruction, |entry| {
					if let Some(entry) = entry {
						if Self::instruction_is_open(&entry.status) && !entry.cancel_requested {
							entry.cancel_requested = true;
							Self::deposit_event(Event::PayoutCancellationRequested {
								transfer: transfer_id,
								instruction,
							});
						}
					}
				});
			}
			// Moved on since the deadline was queued.
			_ => {}
		}
	}

	// ---- Invariants ----

	/// Checks every invariant of the pallet's storage:
	/// - per chain, the vault ledger equals the sums it summarises (held deposits, operator
	///   liquidity, open instructions), and no two open instructions share a vault nonce;
	/// - every transfer is in exactly one state index, the one of its state, and in its
	///   requester's index; each operator's open-transfer count is right.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		let mut held: BTreeMap<ChainId, LinkedAmount> = BTreeMap::new();
		let mut open_by_operator: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		let mut transfers = 0u32;
		for (id, transfer) in Transfers::<T>::iter() {
			transfers += 1;
			if transfer.hold == HoldState::Held {
				*held.entry(transfer.source.chain).or_default() += transfer.source.amount;
			}
			if !transfer.state.is_terminal() {
				*open_by_operator.entry(transfer.operator.clone()).or_default() += 1;
			}
			ensure!(
				TransfersByState::<T>::contains_key(transfer.state, id),
				"transfer missing from its state index"
			);
			ensure!(
				transfer.requester.as_ref().is_none_or(|requester| {
					TransfersByRequester::<T>::contains_key(requester, id)
				}),
				"transfer missing from its requester index"
			);
			let held_ok = match transfer.state {
				TransferState::AwaitingDeposit => transfer.hold == HoldState::AwaitingDeposit,
				TransferState::PayingOut => transfer.hold == HoldState::Held,
				TransferState::Settling | TransferState::Completed => {
					transfer.hold == HoldState::ConfirmedToOperator
				}
				TransferState::Refunding | TransferState::Refunded => {
					transfer.hold == HoldState::ReturnedToSender
				}
				TransferState::Expired | TransferState::Cancelled => {
					transfer.hold == HoldState::NeverDeposited
				}
			};
			ensure!(held_ok, "hold state does not match the transfer state");
		}
		ensure!(
			TransfersByState::<T>::iter_keys().count() as u32 == transfers,
			"a transfer is in more than one state index"
		);
		for (operator, info) in Operators::<T>::iter() {
			let open = open_by_operator.get(&operator).copied().unwrap_or(0);
			ensure!(info.open_transfers == open, "operator open-transfer count is wrong");
		}

		let mut liquidity: BTreeMap<ChainId, LinkedAmount> = BTreeMap::new();
		for (_, chain, l) in OperatorLiquidity::<T>::iter() {
			*liquidity.entry(chain).or_default() += l.free + l.reserved;
		}
		let mut pending: BTreeMap<ChainId, LinkedAmount> = BTreeMap::new();
		let mut open_nonces = alloc::collections::btree_set::BTreeSet::new();
		for (id, instruction) in Outbound::<T>::iter() {
			let open = Self::instruction_is_open(&instruction.status);
			if open {
				ensure!(
					open_nonces.insert((instruction.chain, instruction.nonce)),
					"two open instructions share a vault nonce"
				);
				ensure!(
					instruction.nonce < NextVaultNonce::<T>::get(instruction.chain),
					"an open instruction's nonce is not below the chain's next nonce"
				);
			}
			if open || instruction.status == OutboundStatus::Stuck {
				*pending.entry(instruction.chain).or_default() += instruction.amount;
				if let OutboundPurpose::Settlement(batch) = instruction.purpose {
					let transfers = SettlementBatches::<T>::get(batch).unwrap_or_default();
					ensure!(!transfers.is_empty(), "an owed settlement settles no transfer");
					let mut settled: LinkedAmount = 0;
					for transfer in transfers.iter().filter_map(Transfers::<T>::get) {
						ensure!(
							transfer.state == TransferState::Settling,
							"a settlement carries a transfer that is not settling"
						);
						settled = settled.saturating_add(transfer.source.amount);
					}
					ensure!(
						settled == instruction.amount,
						"a settlement's amount is not the sum of its transfers' deposits"
					);
				}
			}
			ensure!(
				PendingOutbound::<T>::contains_key(instruction.chain, id) == open,
				"pending-outbound index does not match the instruction status"
			);
		}
		for chain in Chains::<T>::iter_keys() {
			let ledger = VaultLedgers::<T>::get(chain);
			ensure!(ledger.held == held.get(&chain).copied().unwrap_or(0), "held does not add up");
			ensure!(
				ledger.operator_liquidity == liquidity.get(&chain).copied().unwrap_or(0),
				"operator liquidity does not add up"
			);
			ensure!(
				ledger.pending_outbound == pending.get(&chain).copied().unwrap_or(0),
				"pending outbound does not add up"
			);
			ensure!(ledger.expected_vault_balance().is_some(), "vault ledger overflows");
		}
		Ok(())
	}
}

//! Operators: their bond, settlement accounts, rules, campaigns and withdrawals, and the quotes
//! their rules give.

use crate::{ledger::Books, pallet::*, quote, types::*};
use alloc::vec::Vec;
use frame_support::{
	ensure,
	traits::{
		fungible::{Inspect, MutateHold},
		tokens::Precision,
		Get,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError, DispatchResult,
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_register_operator(operator: T::AccountId) -> DispatchResult {
		ensure!(!Operators::<T>::contains_key(&operator), Error::<T>::AlreadyOperator);
		let bond = T::OperatorBond::get();
		T::Currency::hold(&HoldReason::OperatorBond.into(), &operator, bond)
			.map_err(|_| Error::<T>::CannotHoldBond)?;
		let info = OperatorInfo { bond, open_transfers: 0, rules: 0, pending_withdrawals: 0 };
		Operators::<T>::insert(&operator, info);
		Self::deposit_event(Event::OperatorRegistered { operator, bond });
		Ok(())
	}

	pub(crate) fn do_set_settlement_account(
		operator: T::AccountId,
		chain: ChainId,
		account: Vec<u8>,
	) -> DispatchResult {
		ensure!(Operators::<T>::contains_key(&operator), Error::<T>::NotOperator);
		let linked = Chains::<T>::get(chain).ok_or(Error::<T>::UnknownChain)?;
		let account =
			LinkedAccount::parse(linked.kind, &account).ok_or(Error::<T>::MalformedAccount)?;
		SettlementAccounts::<T>::insert(&operator, chain, account);
		Self::deposit_event(Event::SettlementAccountSet { operator, chain, account });
		Ok(())
	}

	pub(crate) fn do_deregister_operator(operator: T::AccountId) -> DispatchResult {
		let info = Operators::<T>::get(&operator).ok_or(Error::<T>::NotOperator)?;
		let idle = info.open_transfers == 0 && info.rules == 0 && info.pending_withdrawals == 0;
		ensure!(idle, Error::<T>::OperatorBusy);
		Books::<T>::close_operator(&operator)?;
		T::Currency::release(
			&HoldReason::OperatorBond.into(),
			&operator,
			info.bond,
			Precision::BestEffort,
		)?;
		let _ = SettlementAccounts::<T>::clear_prefix(&operator, u32::MAX, None);
		let _ = OpenSettlement::<T>::clear_prefix(&operator, u32::MAX, None);
		Operators::<T>::remove(&operator);
		Self::deposit_event(Event::OperatorDeregistered { operator });
		Ok(())
	}

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
		Books::<T>::debit_withdrawal(&operator, chain, amount)?;
		Self::mutate_operator(&operator, |info| info.pending_withdrawals.saturating_inc());
		let purpose = OutboundPurpose::Withdrawal(operator.clone());
		let instruction = Self::create_instruction(chain, purpose, to, amount, 1);
		Self::deposit_event(Event::LiquidityWithdrawalRequested {
			operator,
			chain,
			amount,
			instruction,
		});
		Ok(())
	}

	/// Changes a registered operator's counters (open transfers, rules, withdrawals).
	pub(crate) fn mutate_operator(
		operator: &T::AccountId,
		change: impl FnOnce(&mut OperatorInfo<BalanceOf<T>>),
	) {
		Operators::<T>::mutate(operator, |info| info.as_mut().map(change));
	}

	// Rules and campaigns.

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
				Self::mutate_operator(&operator, |info| info.rules.saturating_inc());
				id
			}
		};
		let owner = operator.clone();
		let rule =
			Rule { operator: owner, source_chain: source, destination_chain: destination, terms };
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
		Self::mutate_operator(&operator, |info| info.rules.saturating_dec());
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
		let next = campaign_id.checked_add(1).ok_or(Error::<T>::Overflow)?;
		RuleCampaigns::<T>::try_append(rule_id, campaign_id)
			.map_err(|_| Error::<T>::TooManyCampaigns)?;
		NextCampaignId::<T>::put(next);
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

	/// Adds `amount` to (or, when a transfer ends without completing, takes it from) what a
	/// campaign's budget has been used for.
	pub(crate) fn use_campaign_budget(campaign: CampaignId, amount: LinkedAmount, used: bool) {
		Campaigns::<T>::mutate(campaign, |entry| {
			if let Some(campaign) = entry {
				campaign.used = match used {
					true => campaign.used.saturating_add(amount),
					false => campaign.used.saturating_sub(amount),
				};
			}
		});
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

	/// How many campaigns `rule` has, read from the length prefix of its list (which the quote
	/// reads anyway: no second database read).
	pub(crate) fn campaign_count(rule: RuleId) -> u32 {
		// At most `MaxCampaignsPerRule`, a `u32`.
		RuleCampaigns::<T>::decode_len(rule).unwrap_or(0) as u32
	}
}

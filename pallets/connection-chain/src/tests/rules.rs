//! Rules, campaigns, quotes and the request's checks.

use super::*;
use crate::{Campaigns, RuleByPair, Rules};
use sp_runtime::Perbill;

pub(super) fn campaign_terms(starts_at: u64, ends_at: u64) -> CampaignTerms<Balance, u64> {
	CampaignTerms {
		starts_at,
		ends_at,
		rate: Some(ExchangeRate { numerator: 3, denominator: 1 }),
		fee: None,
		min_holding: None,
		budget: None,
	}
}

#[test]
fn set_rule_creates_once_per_pair_and_updates_in_place() {
	new_test_ext().execute_with(|| {
		with_operator();
		assert_eq!(RuleByPair::<Test>::get((OPERATOR, SUBSTRATE, EVM)), Some(SUB_TO_EVM));
		assert_ok!(ConnectionChain::set_rule(
			RuntimeOrigin::signed(OPERATOR),
			SUBSTRATE,
			EVM,
			rule_terms((5, 1), 0, 0)
		));
		assert_eq!(
			Rules::<Test>::get(SUB_TO_EVM).unwrap().terms.rate,
			ExchangeRate { numerator: 5, denominator: 1 }
		);
		assert_eq!(crate::NextRuleId::<Test>::get(), 2);
		assert_eq!(crate::Operators::<Test>::get(OPERATOR).unwrap().rules, 2);
	});
}

#[test]
fn set_rule_rejects_bad_terms() {
	new_test_ext().execute_with(|| {
		let set = |who, source, destination, terms| {
			ConnectionChain::set_rule(RuntimeOrigin::signed(who), source, destination, terms)
		};
		let ok = rule_terms((1, 1), 0, 0);
		assert_noop!(set(OPERATOR, SUBSTRATE, EVM, ok.clone()), Error::<Test>::NotOperator);
		assert_ok!(ConnectionChain::register_operator(RuntimeOrigin::signed(OPERATOR)));
		assert_noop!(set(OPERATOR, EVM, EVM, ok.clone()), Error::<Test>::SameChain);
		assert_noop!(set(OPERATOR, EVM, 9, ok.clone()), Error::<Test>::UnknownChain);
		assert_noop!(
			set(OPERATOR, SUBSTRATE, EVM, rule_terms((1, 0), 0, 0)),
			Error::<Test>::BadRate
		);
		assert_noop!(
			set(OPERATOR, SUBSTRATE, EVM, rule_terms((0, 1), 0, 0)),
			Error::<Test>::BadRate
		);
		let inverted = RuleTerms { min_amount: 10, max_amount: 5, ..ok.clone() };
		assert_noop!(set(OPERATOR, SUBSTRATE, EVM, inverted), Error::<Test>::BadRuleLimits);
		let window = RuleTerms { valid_from: 10, valid_until: Some(9), ..ok };
		assert_noop!(set(OPERATOR, SUBSTRATE, EVM, window), Error::<Test>::BadRuleLimits);
	});
}

#[test]
fn request_checks_every_input() {
	new_test_ext().execute_with(|| {
		with_operator();
		let (sender, recipient) = accounts_for(SUB_TO_EVM);
		let request_with = |rule, amount, sender: &[u8], recipient: &[u8], min, r: &str| {
			ConnectionChain::request_transfer(
				RuntimeOrigin::signed(REQUESTER),
				rule,
				amount,
				sender.to_vec(),
				recipient.to_vec(),
				min,
				reference(r),
			)
		};
		assert_noop!(
			request_with(9, 1_000, &sender, &recipient, 0, "x"),
			Error::<Test>::UnknownRule
		);
		assert_noop!(
			request_with(SUB_TO_EVM, 0, &sender, &recipient, 0, "x"),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			request_with(SUB_TO_EVM, 99, &sender, &recipient, 0, "x"),
			Error::<Test>::AmountTooSmall
		);
		assert_noop!(
			request_with(SUB_TO_EVM, 100_001, &sender, &recipient, 0, "x"),
			Error::<Test>::AmountTooLarge
		);
		assert_noop!(
			request_with(SUB_TO_EVM, 1_000, &recipient, &recipient, 0, "x"),
			Error::<Test>::MalformedAccount
		);
		assert_noop!(
			request_with(SUB_TO_EVM, 1_000, &sender, &sender, 0, "x"),
			Error::<Test>::MalformedAccount
		);
		// The quote is 1_960: asking for more is refused.
		assert_noop!(
			request_with(SUB_TO_EVM, 1_000, &sender, &recipient, 1_961, "x"),
			Error::<Test>::BelowMinReceived
		);
		assert_ok!(request_with(SUB_TO_EVM, 1_000, &sender, &recipient, 1_960, "x"));
		assert_noop!(
			request_with(SUB_TO_EVM, 1_000, &sender, &recipient, 0, "x"),
			Error::<Test>::DuplicateClientReference
		);
		// Another requester may use the same reference.
		assert_ok!(ConnectionChain::request_transfer(
			RuntimeOrigin::signed(OTHER),
			SUB_TO_EVM,
			1_000,
			sender.clone(),
			recipient.clone(),
			0,
			reference("x")
		));
		// More than the operator's free liquidity on the destination: leave it 1_959 free.
		let free = liquidity(EVM).free;
		assert_ok!(ConnectionChain::withdraw_liquidity(
			RuntimeOrigin::signed(OPERATOR),
			EVM,
			free - 1_959
		));
		assert_noop!(
			request_with(SUB_TO_EVM, 1_000, &sender, &recipient, 0, "y"),
			Error::<Test>::InsufficientLiquidity
		);
		check_invariants();
	});
}

#[test]
fn expired_rule_and_missing_settlement_account_are_refused() {
	new_test_ext().execute_with(|| {
		with_operator();
		let terms = RuleTerms { valid_until: Some(5), ..rule_terms((2, 1), 10, 1) };
		assert_ok!(ConnectionChain::set_rule(
			RuntimeOrigin::signed(OPERATOR),
			SUBSTRATE,
			EVM,
			terms
		));
		run_to_block(6);
		assert_noop!(try_request(SUB_TO_EVM, 1_000, "r"), Error::<Test>::RuleNotValid);
		crate::SettlementAccounts::<Test>::remove(OPERATOR, EVM);
		assert_noop!(try_request(EVM_TO_SUB, 1_000, "r"), Error::<Test>::NoSettlementAccount);
	});
}

#[test]
fn a_poor_requester_cannot_pay_the_request_deposit() {
	new_test_ext().execute_with(|| {
		with_operator();
		let (sender, recipient) = accounts_for(SUB_TO_EVM);
		assert_noop!(
			ConnectionChain::request_transfer(
				RuntimeOrigin::signed(POOR),
				SUB_TO_EVM,
				1_000,
				sender,
				recipient,
				0,
				reference("p")
			),
			Error::<Test>::CannotHoldRequestDeposit
		);
	});
}

#[test]
fn campaigns_apply_in_their_window_for_holders_within_budget() {
	new_test_ext().execute_with(|| {
		with_operator();
		let holders_only = CampaignTerms {
			min_holding: Some(50_000),
			budget: Some(2_000),
			..campaign_terms(1, 10)
		};
		assert_ok!(ConnectionChain::create_campaign(
			RuntimeOrigin::signed(OPERATOR),
			SUB_TO_EVM,
			holders_only
		));
		// REQUESTER holds 100_000: the campaign's rate 3/1 applies: 980 * 3 = 2_940.
		let quote = ConnectionChain::quote_for(SUB_TO_EVM, 1_000, Some(&REQUESTER)).unwrap();
		assert_eq!((quote.campaign, quote.amount_out), (Some(0), 2_940));
		// Anonymous quotes and small holders get the rule's rate.
		assert_eq!(ConnectionChain::quote_for(SUB_TO_EVM, 1_000, None).unwrap().campaign, None);
		assert_eq!(
			ConnectionChain::quote_for(SUB_TO_EVM, 1_000, Some(&POOR)).unwrap().campaign,
			None
		);
		let first = request(SUB_TO_EVM, 1_500, "c1");
		assert_eq!(transfer(first).campaign, Some(0));
		assert_eq!(Campaigns::<Test>::get(0).unwrap().used, 1_500);
		// The budget has 500 left.
		let second = request(SUB_TO_EVM, 1_000, "c2");
		assert_eq!(transfer(second).campaign, None);
		// Cancelling gives the budget back.
		assert_ok!(ConnectionChain::cancel_transfer(RuntimeOrigin::signed(REQUESTER), first));
		assert_eq!(Campaigns::<Test>::get(0).unwrap().used, 0);
		run_to_block(11);
		assert_eq!(
			ConnectionChain::quote_for(SUB_TO_EVM, 1_000, Some(&REQUESTER)).unwrap().campaign,
			None
		);
		check_invariants();
	});
}

#[test]
fn campaign_management_is_checked() {
	new_test_ext().execute_with(|| {
		with_operator();
		let create = |who, rule, terms| {
			ConnectionChain::create_campaign(RuntimeOrigin::signed(who), rule, terms)
		};
		assert_noop!(create(OTHER, SUB_TO_EVM, campaign_terms(1, 2)), Error::<Test>::NotRuleOwner);
		assert_noop!(create(OPERATOR, 9, campaign_terms(1, 2)), Error::<Test>::UnknownRule);
		assert_noop!(
			create(OPERATOR, SUB_TO_EVM, campaign_terms(3, 2)),
			Error::<Test>::BadCampaign
		);
		let nothing = CampaignTerms { rate: None, ..campaign_terms(1, 2) };
		assert_noop!(create(OPERATOR, SUB_TO_EVM, nothing), Error::<Test>::BadCampaign);
		let zero_rate = CampaignTerms {
			rate: Some(ExchangeRate { numerator: 1, denominator: 0 }),
			..campaign_terms(1, 2)
		};
		assert_noop!(create(OPERATOR, SUB_TO_EVM, zero_rate), Error::<Test>::BadRate);
		for _ in 0..4 {
			assert_ok!(create(
				OPERATOR,
				SUB_TO_EVM,
				CampaignTerms {
					fee: Some(FeeSchedule { fixed: 1, proportional: Perbill::zero() }),
					..campaign_terms(1, 2)
				}
			));
		}
		assert_noop!(
			create(OPERATOR, SUB_TO_EVM, campaign_terms(1, 2)),
			Error::<Test>::TooManyCampaigns
		);
		assert_noop!(
			ConnectionChain::end_campaign(RuntimeOrigin::signed(OTHER), 0),
			Error::<Test>::NotRuleOwner
		);
		assert_noop!(
			ConnectionChain::end_campaign(RuntimeOrigin::signed(OPERATOR), 99),
			Error::<Test>::UnknownCampaign
		);
		assert_ok!(ConnectionChain::end_campaign(RuntimeOrigin::signed(OPERATOR), 0));
		assert_eq!(crate::RuleCampaigns::<Test>::get(SUB_TO_EVM).len(), 3);
		// Removing the rule removes its campaigns.
		assert_noop!(
			ConnectionChain::remove_rule(RuntimeOrigin::signed(OTHER), SUB_TO_EVM),
			Error::<Test>::NotRuleOwner
		);
		assert_ok!(ConnectionChain::remove_rule(RuntimeOrigin::signed(OPERATOR), SUB_TO_EVM));
		assert_eq!(Campaigns::<Test>::iter().count(), 0);
		assert!(Rules::<Test>::get(SUB_TO_EVM).is_none());
	});
}

#[test]
fn quotes_that_give_nothing_or_overflow_are_refused_by_name() {
	new_test_ext().execute_with(|| {
		with_operator();
		let request = || try_request(SUB_TO_EVM, 1_000, "q");
		let set = |terms| {
			ConnectionChain::set_rule(RuntimeOrigin::signed(OPERATOR), SUBSTRATE, EVM, terms)
		};
		// A fixed fee of the whole amount.
		assert_ok!(set(rule_terms((2, 1), 1_000, 0)));
		assert_noop!(request(), Error::<Test>::FeeExceedsAmount);
		// 990 at 1/1_000 is less than one unit.
		assert_ok!(set(rule_terms((1, 1_000), 10, 0)));
		assert_noop!(request(), Error::<Test>::NothingReceived);
		// 990 at u128::MAX / 2 does not fit in 128 bits.
		assert_ok!(set(rule_terms((u128::MAX / 2, 1), 10, 0)));
		assert_noop!(request(), Error::<Test>::Overflow);
	});
}

#[test]
fn a_request_is_charged_for_the_campaigns_its_rule_has() {
	new_test_ext().execute_with(|| {
		use crate::weights::WeightInfo;
		use frame_support::traits::Get;
		with_operator();
		let charged = |reference_text: &str| {
			try_request(SUB_TO_EVM, 1_000, reference_text)
				.expect("the request is valid")
				.actual_weight
				.expect("a request states its weight")
		};
		let most = <Test as crate::Config>::MaxCampaignsPerRule::get();
		assert_eq!(charged("none"), <() as WeightInfo>::request_transfer(0));
		assert!(
			<() as WeightInfo>::request_transfer(0).ref_time()
				< <() as WeightInfo>::request_transfer(most).ref_time()
		);
		for _ in 0..2 {
			assert_ok!(ConnectionChain::create_campaign(
				RuntimeOrigin::signed(OPERATOR),
				SUB_TO_EVM,
				campaign_terms(1, 10)
			));
		}
		assert_eq!(charged("two"), <() as WeightInfo>::request_transfer(2));
		check_invariants();
	});
}

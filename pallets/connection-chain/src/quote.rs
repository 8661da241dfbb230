//! Quotes: what a requester receives for an amount under a rule, with or without a campaign.
//!
//! Pure functions of their inputs, so the runtime API, the request extrinsic and the tests all
//! compute the same figure.
//!
//! ## Rounding
//! - The proportional fee is rounded **down**: `fee = fixed + floor(amount * proportional)`.
//! - The amount received is rounded **down**: `amount_out = floor((amount - fee) * n / d)`.
//!
//! Both roundings cost the requester less than one unit (one unit of the source asset for the
//! fee, in the requester's favour; less than one unit of the destination asset for the amount
//! received, in the operator's favour). So rounding never favours the operator by one unit or
//! more.

use crate::types::{
	Campaign, CampaignId, ExchangeRate, FeeSchedule, LinkedAmount, Quote, QuoteError, Rule,
};
#[cfg(test)]
use crate::types::{CampaignTerms, RuleTerms};
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding, traits::Zero, Perbill, Rounding,
};

/// Whether a block lies within `[from, until]` (`until = None`: no end).
pub fn within<BlockNumber: PartialOrd>(
	now: &BlockNumber,
	from: &BlockNumber,
	until: Option<&BlockNumber>,
) -> bool {
	now >= from && until.is_none_or(|until| now <= until)
}

/// Whether a rate can be applied: a zero denominator is never valid.
pub fn is_valid_rate(rate: &ExchangeRate) -> bool {
	!rate.denominator.is_zero()
}

/// The fee on `amount`: the fixed part plus the proportional part rounded down.
pub fn fee_for(fee: &FeeSchedule, amount: LinkedAmount) -> Option<LinkedAmount> {
	fee.fixed.checked_add(mul_floor(fee.proportional, amount))
}

fn mul_floor(share: Perbill, amount: LinkedAmount) -> LinkedAmount {
	// `Perbill::mul_floor` on u128 is exact: it works on the parts of the amount.
	share.mul_floor(amount)
}

/// Converts `amount` of the source asset at `rate`, rounding down.
pub fn convert(amount: LinkedAmount, rate: &ExchangeRate) -> Option<LinkedAmount> {
	if !is_valid_rate(rate) {
		return None;
	}
	multiply_by_rational_with_rounding(amount, rate.numerator, rate.denominator, Rounding::Down)
}

/// The quote for `amount_in` at `rate` with `fee`, before any rule limit is checked.
pub fn price(
	amount_in: LinkedAmount,
	rate: ExchangeRate,
	fee: &FeeSchedule,
	campaign: Option<CampaignId>,
) -> Result<Quote, QuoteError> {
	let fee = fee_for(fee, amount_in).ok_or(QuoteError::Overflow)?;
	let net = amount_in.checked_sub(fee).filter(|net| !net.is_zero());
	let net = net.ok_or(QuoteError::FeeExceedsAmount)?;
	let amount_out = convert(net, &rate).ok_or(QuoteError::Overflow)?;
	if amount_out.is_zero() {
		return Err(QuoteError::NothingReceived);
	}
	Ok(Quote { amount_in, fee, amount_out, rate, campaign })
}

/// Whether a campaign applies to a request of `amount_in` at block `now` by a requester who
/// holds `holding` on the connection chain.
pub fn campaign_applies<Balance: PartialOrd, BlockNumber: PartialOrd>(
	campaign: &Campaign<Balance, BlockNumber>,
	amount_in: LinkedAmount,
	now: &BlockNumber,
	holding: Option<&Balance>,
) -> bool {
	let terms = &campaign.terms;
	let in_window = within(now, &terms.starts_at, Some(&terms.ends_at));
	let holds_enough = match (&terms.min_holding, holding) {
		(None, _) => true,
		(Some(min), Some(held)) => held >= min,
		(Some(_), None) => false,
	};
	let within_budget = terms.budget.is_none_or(|budget| {
		campaign.used.checked_add(amount_in).is_some_and(|used| used <= budget)
	});
	in_window && holds_enough && within_budget
}

/// The best quote for `amount_in` under `rule` at block `now`: the rule's own terms, or the
/// campaign that gives the recipient the most (the lowest id on a tie). `holding` is the
/// requester's balance on the connection chain (`None`: unknown, so holder-only campaigns do
/// not apply).
pub fn best_quote<AccountId, Balance: PartialOrd, BlockNumber: PartialOrd>(
	rule: &Rule<AccountId, BlockNumber>,
	campaigns: &[(CampaignId, Campaign<Balance, BlockNumber>)],
	amount_in: LinkedAmount,
	now: &BlockNumber,
	holding: Option<&Balance>,
) -> Result<Quote, QuoteError> {
	let base_terms = &rule.terms;
	if !within(now, &base_terms.valid_from, base_terms.valid_until.as_ref()) {
		return Err(QuoteError::RuleNotValid);
	}
	if amount_in < base_terms.min_amount {
		return Err(QuoteError::AmountTooSmall);
	}
	if amount_in > base_terms.max_amount {
		return Err(QuoteError::AmountTooLarge);
	}
	let base = price(amount_in, base_terms.rate, &base_terms.fee, None);
	campaigns
		.iter()
		.filter(|(_, campaign)| campaign_applies(campaign, amount_in, now, holding))
		.filter_map(|(id, campaign)| {
			price(
				amount_in,
				campaign.terms.rate.unwrap_or(base_terms.rate),
				campaign.terms.fee.as_ref().unwrap_or(&base_terms.fee),
				Some(*id),
			)
			.ok()
		})
		.fold(base, |best, candidate| match best {
			Ok(best) if best.amount_out >= candidate.amount_out => Ok(best),
			_ => Ok(candidate),
		})
}

#[cfg(test)]
mod tests {
	use super::*;

	const TERMS: RuleTerms<u32> = RuleTerms {
		// 1 source unit = 3 / 2 destination units.
		rate: ExchangeRate { numerator: 3, denominator: 2 },
		fee: FeeSchedule { fixed: 10, proportional: Perbill::from_percent(1) },
		min_amount: 100,
		max_amount: 1_000_000,
		valid_from: 10,
		valid_until: Some(100),
	};
	const RULE: Rule<u64, u32> =
		Rule { operator: 7, source_chain: 0, destination_chain: 1, terms: TERMS };

	fn rule_with(terms: RuleTerms<u32>) -> Rule<u64, u32> {
		Rule { terms, ..RULE }
	}

	fn campaign(rate: Option<ExchangeRate>, fee: Option<FeeSchedule>) -> Campaign<u64, u32> {
		Campaign {
			rule: 0,
			terms: CampaignTerms {
				starts_at: 20,
				ends_at: 30,
				rate,
				fee,
				min_holding: None,
				budget: None,
			},
			used: 0,
		}
	}

	#[test]
	fn base_quote_applies_fee_then_rate_rounding_down() {
		// fee = 10 + floor(1% of 1_001) = 10 + 10 = 20; net 981; 981 * 3 / 2 = 1471.5 -> 1471.
		let quote = best_quote::<u64, u64, u32>(&RULE, &[], 1_001, &50, None).unwrap();
		assert_eq!(
			quote,
			Quote {
				amount_in: 1_001,
				fee: 20,
				amount_out: 1_471,
				rate: TERMS.rate,
				campaign: None
			}
		);
	}

	#[test]
	fn rounding_never_favours_the_operator_by_a_unit() {
		for amount in [100u128, 101, 333, 999, 12_345, 999_999] {
			let q = best_quote::<u64, u64, u32>(&RULE, &[], amount, &50, None).unwrap();
			let exact_fee = 10.0 + amount as f64 * 0.01;
			assert!(q.fee as f64 <= exact_fee && exact_fee - (q.fee as f64) < 1.0);
			let exact_out = (amount - q.fee) as f64 * 1.5;
			assert!(exact_out - (q.amount_out as f64) < 1.0, "{amount}: {q:?}");
			assert!(q.amount_out as f64 <= exact_out);
		}
	}

	#[test]
	fn rule_limits_and_window_are_enforced() {
		let quote = |amount, now| best_quote::<u64, u64, u32>(&RULE, &[], amount, &now, None);
		assert_eq!(quote(99, 50), Err(QuoteError::AmountTooSmall));
		assert_eq!(quote(1_000_001, 50), Err(QuoteError::AmountTooLarge));
		assert_eq!(quote(100, 9), Err(QuoteError::RuleNotValid));
		assert_eq!(quote(100, 101), Err(QuoteError::RuleNotValid));
		assert!(quote(100, 10).is_ok() && quote(100, 100).is_ok());
	}

	#[test]
	fn fee_taking_everything_is_an_error() {
		let fee = FeeSchedule { fixed: 200, proportional: Perbill::zero() };
		let rule = rule_with(RuleTerms { fee, ..TERMS });
		assert_eq!(
			best_quote::<u64, u64, u32>(&rule, &[], 200, &50, None),
			Err(QuoteError::FeeExceedsAmount)
		);
		let tiny = rule_with(RuleTerms {
			rate: ExchangeRate { numerator: 1, denominator: 1_000 },
			..TERMS
		});
		assert_eq!(
			best_quote::<u64, u64, u32>(&tiny, &[], 500, &50, None),
			Err(QuoteError::NothingReceived)
		);
	}

	#[test]
	fn best_campaign_wins_only_inside_its_window() {
		let better_rate = campaign(Some(ExchangeRate { numerator: 2, denominator: 1 }), None);
		let no_fee = campaign(None, Some(FeeSchedule::default()));
		let campaigns = [(1, no_fee), (2, better_rate)];
		let inside = best_quote::<u64, u64, u32>(&RULE, &campaigns, 1_000, &25, None).unwrap();
		// Rate 2 with fee 20: 980 * 2 = 1960; no fee at 3/2: 1000 * 1.5 = 1500.
		assert_eq!((inside.campaign, inside.amount_out), (Some(2), 1_960));
		let outside = best_quote::<u64, u64, u32>(&RULE, &campaigns, 1_000, &31, None).unwrap();
		assert_eq!(outside.campaign, None);
	}

	#[test]
	fn a_worse_campaign_is_not_applied() {
		let worse = campaign(Some(ExchangeRate { numerator: 1, denominator: 1 }), None);
		let quote = best_quote::<u64, u64, u32>(&RULE, &[(1, worse)], 1_000, &25, None).unwrap();
		assert_eq!(quote.campaign, None);
	}

	#[test]
	fn holder_only_campaign_needs_the_holding() {
		let mut holders = campaign(None, Some(FeeSchedule::default()));
		holders.terms.min_holding = Some(500);
		let campaigns = [(1, holders)];
		let with = |holding: Option<&u64>| {
			best_quote::<u64, u64, u32>(&RULE, &campaigns, 1_000, &25, holding).unwrap().campaign
		};
		assert_eq!(with(Some(&500)), Some(1));
		assert_eq!(with(Some(&499)), None);
		assert_eq!(with(None), None);
	}

	#[test]
	fn campaign_budget_limits_its_volume() {
		let mut budgeted = campaign(None, Some(FeeSchedule::default()));
		budgeted.terms.budget = Some(1_500);
		budgeted.used = 600;
		let campaigns = [(1, budgeted)];
		let for_amount = |amount| {
			best_quote::<u64, u64, u32>(&RULE, &campaigns, amount, &25, None).unwrap().campaign
		};
		assert_eq!(for_amount(900), Some(1));
		assert_eq!(for_amount(901), None);
	}

	#[test]
	fn conversion_handles_large_amounts_and_rejects_overflow() {
		let rate = ExchangeRate { numerator: 1_000_000, denominator: 1 };
		assert_eq!(convert(u128::MAX / 1_000_000, &rate), Some(u128::MAX / 1_000_000 * 1_000_000));
		assert_eq!(convert(u128::MAX, &rate), None);
		assert_eq!(convert(5, &ExchangeRate { numerator: 1, denominator: 0 }), None);
		// Exact rational: 1/3 of 10 is 3 (rounded down), never 3.33 rounded up.
		assert_eq!(convert(10, &ExchangeRate { numerator: 1, denominator: 3 }), Some(3));
	}
}

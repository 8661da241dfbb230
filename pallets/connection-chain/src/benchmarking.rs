//! Benchmarks of every call, of deadline processing and of each kind of observation a report
//! carries, in their most expensive paths.

use super::*;
use crate::{linked::SubstrateRuntimeCodec, outbound::Outcome, Pallet as ConnectionChain};
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	pallet_prelude::TransactionSource,
	traits::{fungible::Mutate, EnsureOrigin, Get},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_core::H256;
use sp_runtime::{traits::Bounded, Perbill, RuntimeAppPublic, Saturating};

const SOURCE: ChainId = 0;
const DESTINATION: ChainId = 1;
const LIQUIDITY: LinkedAmount = 1_000_000_000_000;
const AMOUNT: LinkedAmount = 1_000_000;

fn admin<T: Config>() -> T::RuntimeOrigin {
	T::AdminOrigin::try_successful_origin().expect("admin origin can be made")
}

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	T::Currency::set_balance(&who, BalanceOf::<T>::max_value() / 4u32.into());
	who
}

fn limit<T: Config>() -> VolumeLimit<BlockNumberFor<T>> {
	VolumeLimit { max_per_period: LinkedAmount::MAX, period: 1_000u32.into() }
}

fn asset() -> AssetInfo {
	AssetInfo { symbol: BoundedVec::truncate_from(b"TKN".to_vec()), decimals: 12 }
}

fn register_chains<T: Config>() {
	for (kind, vault) in [(ChainKind::Substrate, vec![1u8; 32]), (ChainKind::Evm, vec![2u8; 20])] {
		ConnectionChain::<T>::register_chain(
			admin::<T>(),
			kind,
			b"chain".to_vec(),
			asset(),
			vault,
			2,
			limit::<T>(),
		)
		.expect("chain registers");
	}
}

fn terms<T: Config>() -> RuleTerms<BlockNumberFor<T>> {
	RuleTerms {
		rate: ExchangeRate { numerator: 3, denominator: 2 },
		fee: FeeSchedule { fixed: 10, proportional: Perbill::from_percent(1) },
		min_amount: 1,
		max_amount: LinkedAmount::MAX / 4,
		valid_from: 0u32.into(),
		valid_until: None,
	}
}

/// An operator with settlement accounts and liquidity on both chains and a rule
/// SOURCE → DESTINATION with `campaigns` campaigns.
fn operator<T: Config>(campaigns: u32) -> T::AccountId {
	let operator = funded::<T>("operator", 0);
	ConnectionChain::<T>::register_operator(RawOrigin::Signed(operator.clone()).into()).unwrap();
	ConnectionChain::<T>::set_settlement_account(
		RawOrigin::Signed(operator.clone()).into(),
		SOURCE,
		vec![3; 32],
	)
	.unwrap();
	ConnectionChain::<T>::set_settlement_account(
		RawOrigin::Signed(operator.clone()).into(),
		DESTINATION,
		vec![4; 20],
	)
	.unwrap();
	for (chain, from, seed) in [
		(SOURCE, LinkedAccount::Substrate([3; 32]), 0xF0u8),
		(DESTINATION, LinkedAccount::Evm([4; 20]), 0xF1),
	] {
		assert!(ConnectionChain::<T>::apply_deposit(
			chain,
			linked_tx(seed),
			from,
			LIQUIDITY,
			DepositReference::Liquidity(operator.clone()),
		)
		.unwrap());
	}
	ConnectionChain::<T>::set_rule(
		RawOrigin::Signed(operator.clone()).into(),
		SOURCE,
		DESTINATION,
		terms::<T>(),
	)
	.unwrap();
	for _ in 0..campaigns {
		// Campaigns that apply but give less than the rule, so every one is evaluated.
		ConnectionChain::<T>::create_campaign(
			RawOrigin::Signed(operator.clone()).into(),
			0,
			CampaignTerms {
				starts_at: 0u32.into(),
				ends_at: 1_000_000u32.into(),
				rate: Some(ExchangeRate { numerator: 1, denominator: 2 }),
				fee: None,
				min_holding: Some(1u32.into()),
				budget: Some(LinkedAmount::MAX / 2),
			},
		)
		.unwrap();
	}
	operator
}

fn linked_tx(seed: u8) -> LinkedTx {
	LinkedTx {
		hash: H256::repeat_byte(seed),
		block: LinkedBlock { number: seed as u64, hash: H256::repeat_byte(seed) },
	}
}

fn client_reference(n: u32) -> BoundedVec<u8, MaxClientReferenceLen> {
	BoundedVec::truncate_from(n.to_le_bytes().to_vec())
}

fn request<T: Config>(requester: &T::AccountId, n: u32) -> TransferId {
	ConnectionChain::<T>::do_request_transfer(
		requester.clone(),
		0,
		AMOUNT,
		&[5; 32],
		&[6; 20],
		0,
		client_reference(n),
	)
	.expect("request succeeds")
}

/// `count` authorities with keys in the keystore, threshold 1.
fn authorities<T: Config>(count: u32) -> Vec<T::AuthorityId> {
	let keys: Vec<T::AuthorityId> =
		(0..count).map(|_| T::AuthorityId::generate_pair(None)).collect();
	ConnectionChain::<T>::do_set_authorities(keys.clone(), 1).unwrap();
	keys
}

fn signed_report<T: Config>(key: &T::AuthorityId, observations: Vec<ObservationOf<T>>) -> Call<T> {
	let payload =
		crate::linked::signing_payload(&ConnectionChain::<T>::genesis_hash(), 0, &observations);
	let signature = key.sign(&payload).expect("key is in the keystore");
	let observations = BoundedVec::try_from(observations).expect("at most the most per report");
	Call::<T>::report { observations, authority: 0, signature }
}

/// The `index`-th of distinct linked transactions.
fn numbered_tx(index: u32) -> LinkedTx {
	let mut hash = H256::repeat_byte(0xAA);
	hash.0[..4].copy_from_slice(&index.to_le_bytes());
	LinkedTx { hash, block: LinkedBlock { number: u64::from(index) + 1, hash } }
}

/// A deposit of `AMOUNT` for `reference` in linked transaction `index`.
fn deposit<T: Config>(index: u32, reference: DepositReference<T::AccountId>) -> ObservationOf<T> {
	Observation::Deposit {
		chain: SOURCE,
		tx: numbered_tx(index),
		from: LinkedAccount::Substrate([5; 32]),
		amount: AMOUNT,
		reference,
	}
}

/// The deposit of transfer `transfer` in linked transaction `index`.
fn transfer_deposit<T: Config>(index: u32, transfer: TransferId) -> ObservationOf<T> {
	deposit::<T>(index, DepositReference::Transfer(transfer))
}

/// `count` requested transfers whose deposits are held, each with its payout pending.
fn paying_out<T: Config>(count: u32) -> Vec<(TransferId, InstructionId)> {
	let requester = funded::<T>("requester", 0);
	(0..count)
		.map(|index| {
			let transfer = request::<T>(&requester, index);
			let Observation::Deposit { chain, tx, from, amount, reference } =
				transfer_deposit::<T>(index, transfer)
			else {
				unreachable!("a deposit")
			};
			ConnectionChain::<T>::apply_deposit(chain, tx, from, amount, reference).unwrap();
			(transfer, NextInstructionId::<T>::get() - 1)
		})
		.collect()
}

/// Chains, an operator, `count` transfers paying out and the authorities (threshold 1), and
/// for each payout what `observe` makes of it and a new linked transaction.
fn payout_reports<T: Config>(
	count: u32,
	observe: impl Fn(InstructionId, LinkedTx) -> ObservationOf<T>,
) -> (Vec<(TransferId, InstructionId)>, Vec<ObservationOf<T>>) {
	register_chains::<T>();
	operator::<T>(0);
	let payouts = paying_out::<T>(count);
	authorities::<T>(T::MaxAuthorities::get());
	let observations = payouts
		.iter()
		.zip(count..)
		.map(|(&(_, instruction), index)| observe(instruction, numbered_tx(index)))
		.collect();
	(payouts, observations)
}

/// Counts each observation as authority 0's report, as a dispatched report does.
fn report_each<T: Config>(observations: Vec<ObservationOf<T>>) {
	for observation in observations {
		ConnectionChain::<T>::do_report(observation, 0);
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_chain() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(
			origin as T::RuntimeOrigin,
			ChainKind::Evm,
			vec![b'n'; 32],
			asset(),
			vec![2; 20],
			12,
			limit::<T>(),
		);
		assert!(Chains::<T>::contains_key(0));
		Ok(())
	}

	#[benchmark]
	fn update_chain() -> Result<(), BenchmarkError> {
		register_chains::<T>();
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, DESTINATION, Some(vec![9; 20]), Some(5), Some(limit::<T>()));
		assert_eq!(Chains::<T>::get(DESTINATION).unwrap().confirmations, 5);
		Ok(())
	}

	#[benchmark]
	fn pause_chain() -> Result<(), BenchmarkError> {
		register_chains::<T>();
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, SOURCE);
		assert_eq!(Chains::<T>::get(SOURCE).unwrap().status, ChainStatus::Paused);
		Ok(())
	}

	#[benchmark]
	fn resume_chain() -> Result<(), BenchmarkError> {
		register_chains::<T>();
		ConnectionChain::<T>::pause_chain(admin::<T>(), SOURCE).unwrap();
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, SOURCE);
		assert_eq!(Chains::<T>::get(SOURCE).unwrap().status, ChainStatus::Active);
		Ok(())
	}

	#[benchmark]
	fn set_windows() -> Result<(), BenchmarkError> {
		let windows = DeadlineWindows { deposit: 20u32.into(), payout: 30u32.into() };
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, windows);
		assert_eq!(Windows::<T>::get(), windows);
		Ok(())
	}

	#[benchmark]
	fn set_authorities(a: Linear<1, { T::MaxAuthorities::get() }>) -> Result<(), BenchmarkError> {
		let keys: Vec<T::AuthorityId> =
			(0..a).map(|_| T::AuthorityId::generate_pair(None)).collect();
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, keys, a);
		assert_eq!(Threshold::<T>::get(), a);
		Ok(())
	}

	/// The costlier custody: a multisig, whose account the pallet derives from the most signers
	/// to check it is the vault (a contract's set is only checked for its form).
	#[benchmark]
	fn set_vault_custody() -> Result<(), BenchmarkError> {
		register_chains::<T>();
		let count = T::MaxAuthorities::get().min(MaxVaultSigners::get());
		let keys: Vec<T::AuthorityId> =
			(0..count).map(|_| T::AuthorityId::generate_pair(None)).collect();
		ConnectionChain::<T>::set_authorities(admin::<T>(), keys, 1).unwrap();
		let signers = (1..=count).map(|i| [i as u8; 32]).collect::<Vec<_>>();
		let threshold = u16::try_from(count / 2 + 1).map_err(|_| BenchmarkError::Weightless)?;
		let vault = T::SubstrateCodec::multisig_account(&signers, threshold);
		Chains::<T>::mutate(SOURCE, |chain| {
			if let Some(chain) = chain {
				chain.vault = LinkedAccount::Substrate(vault);
			}
		});
		let custody = VaultCustody::Multisig(MultisigCustody {
			signers: BoundedVec::truncate_from(signers),
			threshold,
		});
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, SOURCE, custody.clone());
		assert_eq!(VaultCustodies::<T>::get(SOURCE), Some(custody));
		Ok(())
	}

	#[benchmark]
	fn retry_instruction() -> Result<(), BenchmarkError> {
		register_chains::<T>();
		operator::<T>(0);
		let (_, payout) = paying_out::<T>(1)[0];
		ConnectionChain::<T>::apply_outcome(payout, Outcome::Final(linked_tx(2)), 1).unwrap();
		// Fail the settlement until it is stuck.
		for attempt in 0..MAX_OUTBOUND_ATTEMPTS {
			let settlement = NextInstructionId::<T>::get() - 1;
			ConnectionChain::<T>::apply_outcome(
				settlement,
				Outcome::Failed(Some(linked_tx(3 + attempt)), FailureReason::Reverted),
				1,
			)
			.unwrap();
		}
		let stuck = NextInstructionId::<T>::get() - 1;
		assert_eq!(Outbound::<T>::get(stuck).unwrap().status, OutboundStatus::Stuck);
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, stuck);
		assert_eq!(Outbound::<T>::get(stuck).unwrap().status, OutboundStatus::Failed);
		Ok(())
	}

	#[benchmark]
	fn register_operator() {
		let who = funded::<T>("operator", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(Operators::<T>::contains_key(&who));
	}

	#[benchmark]
	fn set_settlement_account() {
		register_chains::<T>();
		let who = funded::<T>("operator", 0);
		ConnectionChain::<T>::register_operator(RawOrigin::Signed(who.clone()).into()).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), DESTINATION, vec![7; 20]);
		assert!(SettlementAccounts::<T>::contains_key(&who, DESTINATION));
	}

	#[benchmark]
	fn set_rule() {
		register_chains::<T>();
		let who = funded::<T>("operator", 0);
		ConnectionChain::<T>::register_operator(RawOrigin::Signed(who.clone()).into()).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(who), SOURCE, DESTINATION, terms::<T>());
		assert!(Rules::<T>::contains_key(0));
	}

	#[benchmark]
	fn remove_rule(c: Linear<0, { T::MaxCampaignsPerRule::get() }>) {
		register_chains::<T>();
		let who = operator::<T>(c);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), 0);
		assert!(!Rules::<T>::contains_key(0));
	}

	#[benchmark]
	fn create_campaign() {
		register_chains::<T>();
		let who = operator::<T>(T::MaxCampaignsPerRule::get() - 1);
		let terms = CampaignTerms {
			starts_at: 0u32.into(),
			ends_at: 10u32.into(),
			rate: Some(ExchangeRate { numerator: 2, denominator: 1 }),
			fee: None,
			min_holding: None,
			budget: None,
		};
		#[extrinsic_call]
		_(RawOrigin::Signed(who), 0, terms);
		assert_eq!(RuleCampaigns::<T>::get(0).len() as u32, T::MaxCampaignsPerRule::get());
	}

	#[benchmark]
	fn end_campaign(c: Linear<1, { T::MaxCampaignsPerRule::get() }>) {
		register_chains::<T>();
		let who = operator::<T>(c);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), 0);
		assert_eq!(RuleCampaigns::<T>::get(0).len() as u32, c - 1);
	}

	#[benchmark]
	fn withdraw_liquidity() {
		register_chains::<T>();
		let who = operator::<T>(0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), DESTINATION, 1_000);
		assert_eq!(OperatorLiquidity::<T>::get(&who, DESTINATION).free, LIQUIDITY - 1_000);
	}

	#[benchmark]
	fn deregister_operator() {
		register_chains::<T>();
		let who = operator::<T>(0);
		ConnectionChain::<T>::remove_rule(RawOrigin::Signed(who.clone()).into(), 0).unwrap();
		for chain in [SOURCE, DESTINATION] {
			ConnectionChain::<T>::withdraw_liquidity(
				RawOrigin::Signed(who.clone()).into(),
				chain,
				LIQUIDITY,
			)
			.unwrap();
			let id = NextInstructionId::<T>::get() - 1;
			let outcome = Outcome::Final(linked_tx(chain as u8 + 1));
			ConnectionChain::<T>::apply_outcome(id, outcome, 1).unwrap();
		}
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(!Operators::<T>::contains_key(&who));
	}

	#[benchmark]
	fn request_transfer(c: Linear<0, { T::MaxCampaignsPerRule::get() }>) {
		register_chains::<T>();
		operator::<T>(c);
		let requester = funded::<T>("requester", 0);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(requester),
			0,
			AMOUNT,
			vec![5; 32],
			vec![6; 20],
			0,
			client_reference(0),
		);
		assert!(Transfers::<T>::contains_key(0));
	}

	#[benchmark]
	fn cancel_transfer() {
		register_chains::<T>();
		operator::<T>(0);
		let requester = funded::<T>("requester", 0);
		let transfer = request::<T>(&requester, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(requester), transfer);
		assert_eq!(Transfers::<T>::get(transfer).unwrap().state, TransferState::Cancelled);
	}

	/// `n` transfer deposits, each reaching the threshold: the heaviest observation, which
	/// holds the asset and issues the payout.
	#[benchmark]
	fn report_deposits(n: Linear<1, { T::MaxObservationsPerReport::get() }>) {
		register_chains::<T>();
		operator::<T>(0);
		let requester = funded::<T>("requester", 0);
		let observations: Vec<_> = (0..n)
			.map(|index| transfer_deposit::<T>(index, request::<T>(&requester, index)))
			.collect();
		authorities::<T>(T::MaxAuthorities::get());
		#[block]
		{
			report_each::<T>(observations);
		}
		assert_eq!(Transfers::<T>::get(u64::from(n) - 1).unwrap().state, TransferState::PayingOut);
	}

	/// `n` deposits that each open a transfer, reaching the threshold: a request's checks and
	/// reservations, then the deposit held and the payout issued (campaigns are charged apart,
	/// by `request_transfer`'s measure of them).
	#[benchmark]
	fn report_new_transfers(n: Linear<1, { T::MaxObservationsPerReport::get() }>) {
		register_chains::<T>();
		operator::<T>(0);
		let opening = DepositReference::NewTransfer {
			rule: 0,
			recipient: LinkedAccount::Evm([6; 20]),
			min_received: 0,
		};
		let observations: Vec<_> =
			(0..n).map(|index| deposit::<T>(index, opening.clone())).collect();
		authorities::<T>(T::MaxAuthorities::get());
		#[block]
		{
			report_each::<T>(observations);
		}
		assert_eq!(Transfers::<T>::get(u64::from(n) - 1).unwrap().state, TransferState::PayingOut);
	}

	/// `n` payouts seen in a block of their chain, each reaching the threshold.
	#[benchmark]
	fn report_inclusions(n: Linear<1, { T::MaxObservationsPerReport::get() }>) {
		let (payouts, observations) = payout_reports::<T>(n, |instruction, tx| {
			Observation::OutboundIncluded { instruction, tx }
		});
		#[block]
		{
			report_each::<T>(observations);
		}
		let (_, last) = payouts[payouts.len() - 1];
		assert!(matches!(
			Outbound::<T>::get(last).unwrap().status,
			OutboundStatus::Included { .. }
		));
	}

	/// `n` outcomes, each reaching the threshold with the heaviest one: a failed payout, which
	/// restores the operator's liquidity and issues the refund.
	#[benchmark]
	fn report_outcomes(n: Linear<1, { T::MaxObservationsPerReport::get() }>) {
		let (payouts, observations) =
			payout_reports::<T>(n, |instruction, tx| Observation::OutboundFailed {
				instruction,
				tx,
				reason: FailureReason::Other(BoundedVec::truncate_from(vec![b'x'; 64])),
				fee: 1,
			});
		#[block]
		{
			report_each::<T>(observations);
		}
		let (last, _) = payouts[payouts.len() - 1];
		assert_eq!(Transfers::<T>::get(last).unwrap().state, TransferState::Refunding);
	}

	/// The final outcome of a settlement of `t` transfers, all confirmed in one block: every
	/// transfer completes. A report is charged this on top of the outcome's own weight for
	/// each settlement it concludes or updates.
	#[benchmark]
	fn settle_batch(t: Linear<1, { T::MaxSettlementBatch::get() }>) {
		let (payouts, observations) = payout_reports::<T>(t, |instruction, tx| {
			Observation::OutboundFinal { instruction, tx, fee: 1 }
		});
		report_each::<T>(observations);
		let (first, _) = payouts[0];
		let settlement = Transfers::<T>::get(first)
			.and_then(|transfer| transfer.trail.last().and_then(|step| step.instruction))
			.expect("the payout's final outcome issues the settlement");
		assert_eq!(SettlementBatches::<T>::decode_len(settlement), Some(t as usize));
		#[block]
		{
			ConnectionChain::<T>::apply_outcome(settlement, Outcome::Final(linked_tx(9)), 1)
				.unwrap();
		}
		let (last, _) = payouts[payouts.len() - 1];
		assert_eq!(Transfers::<T>::get(last).unwrap().state, TransferState::Completed);
	}

	/// Admitting a report of `n` deposits to the pool: each one's checks, and the verification
	/// of the one signature over all of them.
	#[benchmark]
	fn authorize_report(n: Linear<1, { T::MaxObservationsPerReport::get() }>) {
		register_chains::<T>();
		let keys = authorities::<T>(T::MaxAuthorities::get());
		let observations = (0..n).map(|index| transfer_deposit::<T>(index, index.into())).collect();
		let call = signed_report::<T>(&keys[0], observations);
		#[block]
		{
			use frame_support::pallet_prelude::Authorize;
			call.authorize(TransactionSource::External).expect("has a rule").expect("is valid");
		}
	}

	/// `n` deadlines due (each expiring a transfer) after `q` queues were read. The cost is
	/// linear in `n`; it is measured up to 248 so that a runtime with large queues still
	/// benchmarks in minutes.
	#[benchmark]
	fn process_deadlines(
		n: Linear<0, { T::MaxDeadlinesPerBlock::get().saturating_sub(8).min(248) }>,
		q: Linear<1, 8>,
	) {
		register_chains::<T>();
		operator::<T>(0);
		let requester = funded::<T>("requester", 0);
		let now = frame_system::Pallet::<T>::block_number();
		for i in 0..n {
			request::<T>(&requester, i);
		}
		let due = now.saturating_add(Windows::<T>::get().deposit);
		// `q - 1` empty queues before the one with the deadlines.
		DeadlineCursor::<T>::put(due.saturating_sub((q - 1).into()));
		#[block]
		{
			ConnectionChain::<T>::process_deadlines(due);
		}
		if n > 0 {
			assert_eq!(Transfers::<T>::get(0).unwrap().state, TransferState::Expired);
		}
	}

	impl_benchmark_test_suite!(ConnectionChain, crate::mock::new_bench_ext(), crate::mock::Test);
}

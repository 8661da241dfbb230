//! A test runtime with the pallet, balances and timestamp, and helpers to drive it.

use crate::{self as pallet_connection_chain, linked, types::*, Call, Config};
use codec::Encode;
use frame_support::{
	assert_ok, derive_impl,
	pallet_prelude::{Authorize, TransactionSource},
	parameter_types,
	traits::{ConstU32, ConstU64, Hooks},
};
// frame_system's transaction-creation traits, which the workers' reports are made with.
use frame_system::{offchain as tx_creation, RawOrigin};
use sp_core::H256;
use sp_runtime::{testing::UintAuthorityId, BuildStorage, Perbill, RuntimeAppPublic};

pub type AccountId = u64;
pub type Balance = u64;
/// Reports are authorized transactions: the only extension is `AuthorizeCall`.
pub type TxExtension = frame_system::AuthorizeCall<Test>;
/// The extrinsic type, so tests can decode what the worker put in the pool.
pub type Extrinsic = sp_runtime::testing::TestXt<RuntimeCall, TxExtension>;
type Block = sp_runtime::generic::Block<
	sp_runtime::generic::Header<u64, sp_runtime::traits::BlakeTwo256>,
	Extrinsic,
>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Timestamp: pallet_timestamp,
		ConnectionChain: pallet_connection_chain,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
	/// Not free, so that the vote bookkeeping a report is charged for shows.
	type DbWeight = frame_support::weights::constants::RocksDbWeight;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type Balance = Balance;
	type RuntimeHoldReason = RuntimeHoldReason;
}

impl pallet_timestamp::Config for Test {
	type Moment = u64;
	type OnTimestampSet = ();
	type MinimumPeriod = ConstU64<1>;
	type WeightInfo = ();
}

pub const OPERATOR_BOND: Balance = 1_000;
pub const REQUEST_DEPOSIT: Balance = 10;
pub const DEPOSIT_WINDOW: u64 = 20;
pub const PAYOUT_WINDOW: u64 = 30;

parameter_types! {
	pub static MaxDeadlines: u32 = 16;
	/// 0: one pass per run, unless a test asks for more.
	pub static WorkerPollWindow: u64 = 0;
}

impl Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AdminOrigin = frame_system::EnsureRoot<AccountId>;
	type AuthorityId = UintAuthorityId;
	type UnixTime = Timestamp;
	type OperatorBond = ConstU64<OPERATOR_BOND>;
	type RequestDeposit = ConstU64<REQUEST_DEPOSIT>;
	type DepositWindow = ConstU64<DEPOSIT_WINDOW>;
	type PayoutWindow = ConstU64<PAYOUT_WINDOW>;
	type MaxDeadlinesPerBlock = MaxDeadlines;
	type MaxAuthorities = ConstU32<8>;
	type MaxCampaignsPerRule = ConstU32<4>;
	type ReportPriority = ConstU64<{ u64::MAX / 2 }>;
	/// Small, so that the worker tests see a pass's observations split over reports.
	type MaxObservationsPerReport = ConstU32<4>;
	type MaxSettlementBatch = ConstU32<3>;
	type WorkerPollWindow = WorkerPollWindow;
	type SubstrateCodec = UnreadableSubstrateChain;
	type WeightInfo = ();
}

impl<LocalCall> tx_creation::CreateTransactionBase<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	type RuntimeCall = RuntimeCall;
	type Extrinsic = Extrinsic;
}

impl<LocalCall> tx_creation::CreateTransaction<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	type Extension = TxExtension;
	fn create_transaction(call: RuntimeCall, extension: TxExtension) -> Extrinsic {
		Extrinsic::new_transaction(call, extension)
	}
}

impl<LocalCall> tx_creation::CreateAuthorizedTransaction<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	fn create_extension() -> TxExtension {
		TxExtension::new()
	}
}

/// The mock has no Substrate runtime to read a linked chain with: the worker tests here drive
/// the EVM chain, and the runtime crate tests the Substrate encoding with its real types.
pub struct UnreadableSubstrateChain;

impl linked::SubstrateRuntimeCodec for UnreadableSubstrateChain {
	fn scan_block(
		_: LinkedBlock,
		_: &[Vec<u8>],
		_: &[u8],
		_: &[u8; 32],
	) -> Option<linked::BlockScan> {
		None
	}
	fn decode_account(_: &[u8]) -> Option<(LinkedAmount, u64)> {
		None
	}
	/// Any account that depends on the set (not its order) and the threshold will do here.
	fn multisig_account(signers: &[[u8; 32]], threshold: u16) -> [u8; 32] {
		let mut sorted = signers.to_vec();
		sorted.sort_unstable();
		sp_io::hashing::blake2_256(&(sorted, threshold).encode())
	}
	fn batch_call_hash(batch: &linked::VaultBatchCall) -> [u8; 32] {
		sp_io::hashing::blake2_256(&(batch.nonce, &batch.payments).encode())
	}
	fn pending_multisig_key(_: &[u8; 32], _: &[u8; 32]) -> Vec<u8> {
		Vec::new()
	}
	fn decode_pending_multisig(_: &[u8]) -> Option<linked::PendingMultisig> {
		None
	}
	fn signed_extrinsic(
		_: Option<([u8; 32], LinkedAmount)>,
		_: &linked::SubstrateTxParams,
		_: [u8; 32],
		_: &dyn Fn(&[u8]) -> Option<[u8; 64]>,
	) -> Option<Vec<u8>> {
		None
	}
	fn multisig_extrinsic(
		_: &linked::MultisigApproval,
		_: &linked::SubstrateTxParams,
		_: [u8; 32],
		_: &dyn Fn(&[u8]) -> Option<[u8; 64]>,
	) -> Option<Vec<u8>> {
		None
	}
}

// Accounts on the connection chain.
pub const ADMIN_FREE: AccountId = 1;
pub const OPERATOR: AccountId = 10;
pub const REQUESTER: AccountId = 20;
pub const OTHER: AccountId = 30;
pub const POOR: AccountId = 40;

// The linked chains registered by `new_test_ext`.
pub const SUBSTRATE: ChainId = 0;
pub const EVM: ChainId = 1;
pub const SUBSTRATE_VAULT: [u8; 32] = [0xAA; 32];
pub const EVM_VAULT: [u8; 20] = [0xBB; 20];
pub const SENDER_SUB: [u8; 32] = [0x11; 32];
pub const RECIPIENT_EVM: [u8; 20] = [0x22; 20];
pub const SENDER_EVM: [u8; 20] = [0x33; 20];
pub const RECIPIENT_SUB: [u8; 32] = [0x44; 32];
pub const OPERATOR_SUB: [u8; 32] = [0x55; 32];
pub const OPERATOR_EVM: [u8; 20] = [0x66; 20];

/// Liquidity the operator deposits on each chain in `with_operator`.
pub const LIQUIDITY: LinkedAmount = 1_000_000;
/// Volume limit per period on each chain.
pub const VOLUME_LIMIT: LinkedAmount = 10_000_000;

/// Rule 0: SUBSTRATE → EVM at 2/1 with fee 10 + 1 %; rule 1: EVM → SUBSTRATE at 1/2, fee 4.
pub const SUB_TO_EVM: RuleId = 0;
pub const EVM_TO_SUB: RuleId = 1;

pub fn rule_terms(rate: (u128, u128), fixed: LinkedAmount, percent: u32) -> RuleTerms<u64> {
	RuleTerms {
		rate: ExchangeRate { numerator: rate.0, denominator: rate.1 },
		fee: FeeSchedule { fixed, proportional: Perbill::from_percent(percent) },
		min_amount: 100,
		max_amount: 100_000,
		valid_from: 0,
		valid_until: None,
	}
}

/// Three authorities (1, 2, 3), threshold 1, the two chains registered, every account funded.
pub fn new_test_ext() -> sp_io::TestExternalities {
	ext_with_threshold(1)
}

pub fn ext_with_threshold(threshold: u32) -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![
			(ADMIN_FREE, 100_000),
			(OPERATOR, 100_000),
			(REQUESTER, 100_000),
			(OTHER, 100_000),
			(POOR, 5),
		],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_connection_chain::GenesisConfig::<Test> {
		authorities: vec![1u64.into(), 2u64.into(), 3u64.into()],
		threshold,
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		run_to_block(1);
		register_chains();
	});
	ext
}

/// Funded accounts only, for the benchmarks (they register what they need).
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| run_to_block(1));
	ext
}

pub fn register_chains() {
	let asset = |symbol: &str, decimals| AssetInfo {
		symbol: symbol.as_bytes().to_vec().try_into().unwrap(),
		decimals,
	};
	let limit = VolumeLimit { max_per_period: VOLUME_LIMIT, period: 100 };
	assert_ok!(ConnectionChain::register_chain(
		RuntimeOrigin::root(),
		ChainKind::Substrate,
		b"Linked Ledger".to_vec(),
		asset("LNK", 12),
		SUBSTRATE_VAULT.to_vec(),
		0,
		limit,
	));
	assert_ok!(ConnectionChain::register_chain(
		RuntimeOrigin::root(),
		ChainKind::Evm,
		b"Anvil".to_vec(),
		asset("ETH", 18),
		EVM_VAULT.to_vec(),
		2,
		limit,
	));
}

/// Registers OPERATOR with settlement accounts, `LIQUIDITY` on both chains and rules 0 and 1.
pub fn with_operator() {
	assert_ok!(ConnectionChain::register_operator(RuntimeOrigin::signed(OPERATOR)));
	assert_ok!(ConnectionChain::set_settlement_account(
		RuntimeOrigin::signed(OPERATOR),
		SUBSTRATE,
		OPERATOR_SUB.to_vec()
	));
	assert_ok!(ConnectionChain::set_settlement_account(
		RuntimeOrigin::signed(OPERATOR),
		EVM,
		OPERATOR_EVM.to_vec()
	));
	deposit_liquidity(SUBSTRATE, LinkedAccount::Substrate(OPERATOR_SUB), LIQUIDITY, 0xA1);
	deposit_liquidity(EVM, LinkedAccount::Evm(OPERATOR_EVM), LIQUIDITY, 0xA2);
	assert_ok!(ConnectionChain::set_rule(
		RuntimeOrigin::signed(OPERATOR),
		SUBSTRATE,
		EVM,
		rule_terms((2, 1), 10, 1)
	));
	assert_ok!(ConnectionChain::set_rule(
		RuntimeOrigin::signed(OPERATOR),
		EVM,
		SUBSTRATE,
		rule_terms((1, 2), 4, 0)
	));
}

pub fn deposit_liquidity(chain: ChainId, from: LinkedAccount, amount: LinkedAmount, tx: u8) {
	report_all(Observation::Deposit {
		chain,
		tx: linked_tx(tx),
		from,
		amount,
		reference: DepositReference::Liquidity(OPERATOR),
	});
}

pub fn linked_tx(seed: u8) -> LinkedTx {
	LinkedTx {
		hash: H256::repeat_byte(seed),
		block: LinkedBlock { number: seed as u64, hash: H256::repeat_byte(seed.wrapping_add(1)) },
	}
}

pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Timestamp::set_timestamp(next * 2_000);
		ConnectionChain::on_initialize(next);
	}
}

/// Signs a report of `observations` as authority `index` (0-based; the key is `index + 1`).
pub fn signed_report_of(index: u32, observations: &[Observation<AccountId>]) -> Call<Test> {
	let key = UintAuthorityId(index as u64 + 1);
	let payload = linked::signing_payload(&ConnectionChain::genesis_hash(), index, observations);
	let signature = key.sign(&payload).unwrap();
	let observations = observations.to_vec().try_into().expect("at most the most per report");
	Call::report { observations, authority: index, signature }
}

/// Signs a report of one observation as authority `index`.
pub fn signed_report(index: u32, observation: &Observation<AccountId>) -> Call<Test> {
	signed_report_of(index, core::slice::from_ref(observation))
}

/// Checks a report the way the transaction pool does.
pub fn authorize(
	call: &Call<Test>,
) -> sp_runtime::transaction_validity::TransactionValidityWithRefund {
	call.authorize(TransactionSource::External).expect("report has an authorize rule")
}

/// Admits a signed report as the pool does, then dispatches it with the authorized origin.
/// Returns the weight it was charged after dispatch.
pub fn dispatch_report(call: Call<Test>) -> frame_support::weights::Weight {
	assert_ok!(authorize(&call));
	let Call::report { observations, authority, signature } = call else { unreachable!() };
	let post =
		ConnectionChain::report(RawOrigin::Authorized.into(), observations, authority, signature)
			.expect("an authorized report dispatches");
	post.actual_weight.expect("a report states its weight")
}

/// Submits a report of one observation from authority `index`.
pub fn report_as(index: u32, observation: Observation<AccountId>) {
	dispatch_report(signed_report(index, &observation));
}

/// Reports as many authorities as the threshold needs.
pub fn report_all(observation: Observation<AccountId>) {
	for index in 0..crate::Threshold::<Test>::get() {
		report_as(index, observation.clone());
	}
}

pub fn events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::ConnectionChain(event) => Some(event),
			_ => None,
		})
		.collect()
}

pub fn reference(text: &str) -> frame_support::BoundedVec<u8, MaxClientReferenceLen> {
	text.as_bytes().to_vec().try_into().unwrap()
}

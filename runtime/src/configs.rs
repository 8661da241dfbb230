//! Configuration of each pallet of the runtime.

use frame_support::dispatch::DispatchClass;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, Get, VariantCountOf},
	weights::{constants::WEIGHT_REF_TIME_PER_SECOND, IdentityFee, Weight},
};
// frame_system's transaction-creation traits, which the workers' reports are made with.
use frame_system::offchain as tx_creation;
use frame_system::{
	limits::{BlockLength, BlockWeights},
	EnsureRoot,
};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{traits::One, transaction_validity::TransactionPriority, Perbill};
use sp_version::RuntimeVersion;

use super::{
	AccountId, Aura, Balance, Balances, Block, BlockNumber, Hash, Nonce, PalletInfo, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, RuntimeOrigin, RuntimeTask,
	System, Timestamp, BLOCK_HASH_COUNT, EXISTENTIAL_DEPOSIT, UNIT, VERSION,
};

const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

parameter_types! {
	pub const BlockHashCount: BlockNumber = BLOCK_HASH_COUNT;
	pub const Version: RuntimeVersion = VERSION;

	/// Four thirds of a second of compute per block: what the author of a 2 s block has. Aura
	/// gives it two thirds of the slot (`node/src/service.rs`) and discards a block built later;
	/// the proposer stops adding transactions at 90 % of that and then computes the state root.
	/// A limit of the whole slot let blocks full by weight miss their window under load
	/// (docs/benchmarks.md). The block time itself is chosen by the chain spec
	/// (`pallet_block_time`); a longer one leaves this limit on the safe side.
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(4u64 * WEIGHT_REF_TIME_PER_SECOND / 3, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	/// 5 MiB blocks, of which normal transactions may fill `NORMAL_DISPATCH_RATIO`.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(5 * 1024 * 1024)
		.modify_max_length_for_class(DispatchClass::Normal, |max| *max = NORMAL_DISPATCH_RATIO * *max)
		.build();
	pub const SS58Prefix: u8 = 42;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// The node stores its state in ParityDb (it is built without RocksDB). Reads and writes are
	/// charged as measured on a large state of this chain (`scripts/benchmark-storage.sh`), not
	/// at Substrate's generic ParityDb figures, which overcharge a write here
	/// (docs/benchmarks.md).
	type DbWeight = crate::paritydb_weights::ParityDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_block_time::Config for Runtime {}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<32>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_block_time::SlotDuration<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
	/// A timestamp: milliseconds since the unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = pallet_block_time::MinimumPeriod<Runtime>;
	type WeightInfo = ();
}

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

parameter_types! {
	pub FeeMultiplier: Multiplier = Multiplier::one();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = IdentityFee<Balance>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Bond an operator holds while registered.
	pub const OperatorBond: Balance = 1_000 * UNIT;
	/// Deposit a requester holds while its transfer record is open.
	pub const RequestDeposit: Balance = UNIT;
	/// Reports of the validators' off-chain workers go before ordinary transactions.
	pub const ReportPriority: TransactionPriority = TransactionPriority::MAX / 2;
}

/// The workers watch the linked chains for three quarters of each block's slot: what becomes
/// final in that time is in the pool when the next block is authored, and the last quarter
/// leaves the run time to end before the next block's run starts.
pub struct WorkerPollWindow;
impl Get<u64> for WorkerPollWindow {
	fn get() -> u64 {
		pallet_block_time::TargetBlockTime::<Runtime>::get().saturating_mul(3) / 4
	}
}

impl pallet_connection_chain::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AdminOrigin = EnsureRoot<AccountId>;
	type AuthorityId = pallet_connection_chain::crypto::AuthorityId;
	type UnixTime = Timestamp;
	type OperatorBond = OperatorBond;
	type RequestDeposit = RequestDeposit;
	/// 150 blocks: 5 minutes with the dev chain's 2 s blocks, 15 with the testnet's 6 s.
	type DepositWindow = ConstU32<150>;
	/// 90 blocks: 3 minutes with 2 s blocks, 9 with 6 s.
	type PayoutWindow = ConstU32<90>;
	/// 1,024: every transfer queues a payout deadline (a requested one a deposit deadline too),
	/// so the queues must take as many transfers per block as the blocks carry (about 1,000 per
	/// 2 s block). Checking 1,024 due deadlines costs at most about a seventh of a block.
	type MaxDeadlinesPerBlock = ConstU32<1024>;
	type MaxAuthorities = ConstU32<32>;
	type MaxCampaignsPerRule = ConstU32<8>;
	type ReportPriority = ReportPriority;
	/// 64: charged in advance as the heaviest kind with the most vote bookkeeping, a full report
	/// books about a fifth of a block's normal weight until it is dispatched.
	type MaxObservationsPerReport = ConstU32<64>;
	/// 16: the source vault makes one transaction per 16 transfers, and a settled transfer
	/// costs a share of a settlement's final outcome instead of an outcome of its own. An
	/// outcome is charged in advance as a full batch's (`runtime/tests/block_capacity.rs` prints
	/// what a full report books); what is not used is refunded after dispatch.
	type MaxSettlementBatch = ConstU32<16>;
	type WorkerPollWindow = WorkerPollWindow;
	/// The linked Substrate chain runs this same runtime (the `linked_ledger` preset).
	type SubstrateCodec = crate::linked_ledger::LinkedLedgerCodec;
	type WeightInfo = pallet_connection_chain::weights::SubstrateWeight<Runtime>;
}

impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = crate::OriginCaller;
	type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// What opening a multisig operation holds from its opener until it executes or is
	/// cancelled (a storage item of about 88 bytes, plus 32 per approval).
	pub const MultisigDepositBase: Balance = UNIT;
	pub const MultisigDepositFactor: Balance = UNIT / 10;
}

// A linked ledger running this runtime keeps its vault as a multisig account of the
// validators' own ledger accounts (`linked_ledger`).
impl pallet_multisig::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type DepositBase = MultisigDepositBase;
	type DepositFactor = MultisigDepositFactor;
	type MaxSignatories = ConstU32<32>;
	type WeightInfo = pallet_multisig::weights::SubstrateWeight<Runtime>;
	type BlockNumberProvider = System;
}

// The off-chain worker submits its reports as authorized (fee-less, nonce-less) transactions:
// only `AuthorizeCall` acts on them; the other extensions are inert for an authorized origin.
impl<LocalCall> tx_creation::CreateTransactionBase<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	type Extrinsic = crate::UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<LocalCall> tx_creation::CreateTransaction<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	type Extension = crate::TxExtension;

	fn create_transaction(
		call: RuntimeCall,
		extension: crate::TxExtension,
	) -> crate::UncheckedExtrinsic {
		crate::UncheckedExtrinsic::new_transaction(call, extension)
	}
}

impl<LocalCall> tx_creation::CreateAuthorizedTransaction<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	fn create_extension() -> crate::TxExtension {
		crate::tx_extension(sp_runtime::generic::Era::Immortal, 0)
	}
}

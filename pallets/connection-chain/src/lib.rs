//! # Connection-chain pallet
//!
//! Carries value between two linked chains of different architectures, a Substrate chain and an
//! EVM chain, and records every cross-chain transfer as one record with its whole trail.
//!
//! ## Concepts
//!
//! - **Linked chain**: a chain registered by the admin origin, with its kind (`Substrate`,
//!   `Evm`), name, asset, the **vault** (escrow) account the validators control on it, the
//!   confirmations a transaction needs there before it counts as final, a status (`Active`, or
//!   `Paused`: no new requests, but every transfer in flight still finishes or refunds) and a
//!   volume limit per period. Accounts on a linked chain are checked against its kind: 32 bytes
//!   on a Substrate chain, 20 on an EVM chain; anything else is refused with
//!   [`Error::MalformedAccount`] and never stored.
//! - **Operator**: an exchange provider. It registers with a bond held on this chain
//!   ([`HoldReason::OperatorBond`]), names a settlement account on each linked chain, and keeps
//!   **liquidity** in each vault: deposited by the operator (credited when the deposit is seen
//!   final), reserved for transfers in flight, paid out, and withdrawn through a recorded
//!   outbound transfer. Liquidity never goes negative: a request the operator cannot cover is
//!   refused up front ([`Error::InsufficientLiquidity`]).
//! - **Rule**: an operator's offer for one ordered pair of chains: an exact exchange rate
//!   (a fraction), a fee (fixed plus proportional, in the source asset), a minimum and maximum
//!   amount and a validity window. **Campaigns** improve a rule for a while, optionally only for
//!   requesters who hold a given amount on this chain, optionally up to a volume budget.
//! - **Quote**: what a requester receives ([`quote`] module, runtime API `quote`). The request
//!   carries `min_received`, so a rate change between quote and request can never hurt the
//!   requester. Rounding is stated in the [`quote`] module and never favours the operator by a
//!   unit or more.
//! - **Transfer**: one record holding the requester, the rule, the source leg (chain, sender,
//!   amount), the destination leg (chain, recipient, amount), the fee, `min_received`, the
//!   deadlines, the client reference, the **hold state** of the source asset and the **trail**:
//!   each step (request, deposit, payout, settlement, refund, expiry, cancellation) with the
//!   linked chain, its transaction hash, block number and hash, the amount, the result and the
//!   connection-chain block and time when it was requested and when it was fixed.
//! - **Outbound instruction**: each transfer a vault must make (payout, settlement, refund,
//!   operator withdrawal, return of a stray deposit), with a unique id the validators' off-chain
//!   workers execute exactly once.
//! - **Settlement**: the held deposits confirmed to one operator on one chain in the same block
//!   go to its settlement account together, in one instruction for up to
//!   [`Config::MaxSettlementBatch`] transfers ([`SettlementBatches`]): per transfer the source
//!   vault then makes no transaction of its own, and the workers report one outcome for the
//!   batch. Each transfer's trail still has its settlement step, with its own amount and the
//!   batch's transaction; a failed settlement is retried for every transfer it carries.
//! - **Vault nonce**: each outbound instruction is bound, when created, to one nonce of the
//!   vault account on its chain ([`NextVaultNonce`]). Every transaction signed for it uses that
//!   nonce, so it lands at most once; it is proven dead only when another transaction took the
//!   nonce. The fees the vault pays come out of the served operator's free liquidity
//!   ([`Event::VaultFeePaid`]), so the ledger keeps matching the vault.
//! - **Deposit memo**: a deposit names what it is for in its own transaction ([`memo`]): the
//!   transfer it pays for, an operator's liquidity, or a **new transfer** (rule, recipient,
//!   least received). A transfer can thus start in two ways: requested on this chain and then
//!   paid for (the quote is fixed and the payout reserved before the user moves anything), or
//!   opened by its deposit alone, one transaction on the source chain like a plain transfer
//!   (priced when the deposit is counted; refused and returned if it would give less than the
//!   least received, or a request with the same terms would be refused).
//! - **Off-chain worker** ([`offchain`]): on each validator, it follows the linked chains' final
//!   blocks, reports deposits and outcomes, and signs the vaults' payouts with the validator's
//!   own signer keys: approvals of a vault contract's batches, or of a multisig vault's calls,
//!   which pay only once a threshold of the validators approved them.
//! - **Attestation**: the workers report what they see on the linked chains ([`Observation`])
//!   with fee-less authorized transactions signed by an attestation key ([`crypto`], key type
//!   `ccat`, part of the session keys), up to [`Config::MaxObservationsPerReport`]
//!   observations per report. An observation takes effect when [`Threshold`] distinct
//!   authorities reported the same one; reports that conflict with it are kept as evidence
//!   ([`SubjectReports`]) and advance nothing.
//!
//! ## Lifecycle
//!
//! ```text
//!  deposit naming a rule (NewTransfer) ──deposit final──────────┐
//!                                                               ▼
//!  request_transfer ──► AwaitingDeposit ──deposit final──► PayingOut ──payout final──► Settling ──settlement final──► Completed
//!       │                 │        │   (asset Held)          │  (payout failed,          (Confirmed to operator)
//!       │                 │        │                         │   or proven dead after
//!       │      cancel ◄───┘        └── deposit deadline      │   the payout deadline)
//!       │        ▼                          ▼                 ▼
//!       │    Cancelled                   Expired          Refunding ──refund final──► Refunded
//!       │  (nothing moved)          (nothing moved)    (Returned to sender)
//! ```
//!
//! Deadlines fire by themselves in `on_initialize`, at most
//! [`Config::MaxDeadlinesPerBlock`] per block. A transfer gets them when it is requested, from
//! the deposit and payout windows in force ([`Windows`]: the runtime's defaults, or what the
//! admin set with `set_windows`, at least [`MIN_WINDOW`] blocks each). A refund is only
//! issued once the payout provably cannot land (it failed on chain, or the workers prove it
//! dead: a mortal extrinsic past its era, an EVM nonce taken by another transaction, or never
//! submitted). A payout that lands after its deadline still completes the transfer. Every
//! transfer ends in exactly one terminal state. A deposit with the wrong amount or sender, for
//! a transfer no longer waiting, or with no recognisable reference is returned to its sender,
//! never kept.
//!
//! ## Worked example
//!
//! An operator's rule from the Substrate linked ledger (LNK, 12 decimals) to the EVM chain
//! (ETH, 18 decimals) at 1 LNK = 0.001 ETH: 10¹² planck buy 10¹⁵ wei, so the rate is
//! `1_000 / 1` (wei per planck). Fee: `fixed = 10¹⁰` planck (0.01 LNK) plus 0.5 %.
//!
//! A request of `amount_in` = 100 LNK = 10¹⁴ planck:
//!
//! | | planck / wei | in tokens |
//! |---|---|---|
//! | fee = 10¹⁰ + floor(0.5 % · 10¹⁴) | 510,000,000,000 planck | 0.51 LNK |
//! | net = 10¹⁴ − fee | 99,490,000,000,000 planck | 99.49 LNK |
//! | amount_out = floor(net · 1,000 / 1) | 99,490,000,000,000,000 wei | 0.09949 ETH |
//!
//! The sender deposits 100 LNK into the ledger's vault, referencing the transfer id; once that
//! deposit is final the asset is **held**. (Without a request, the same deposit with a memo
//! naming the rule, the recipient and `min_received` ≤ 0.09949 ETH opens the transfer and holds
//! the asset when it is counted.) The EVM vault pays 0.09949 ETH to the recipient out
//! of the operator's liquidity (reserved for it at request time). Once that payout is final, the
//! hold is **confirmed to the operator**: the ledger vault sends the 100 LNK to the operator's
//! settlement account (in one transaction with the other deposits confirmed to that operator in
//! the same block). Had the payout failed, the hold would have been **cancelled** and the
//! 100 LNK returned to the account they came from.
//!
//! ## Storage cost of a transfer
//!
//! With 32-byte accounts, `u128` balances and `u32` block numbers (the connection chain's
//! runtime; checked by its `storage_cost` test):
//! - the transfer record: at most 3,475 bytes (a trail of 16 steps); a completed transfer with
//!   its four steps takes about 0.9 KB;
//! - three index entries (by requester, by state, by client reference): keys of 57 to 129
//!   bytes, no value;
//! - one deadline entry (8 bytes in its block's queue, removed once processed);
//! - one outbound instruction per vault transfer, at most 173 bytes each: a payout, then a
//!   refund or a share of a settlement (one instruction and one batch entry of 8 bytes for up to
//!   [`Config::MaxSettlementBatch`] transfers; the batch is removed once final), one more per
//!   retry;
//! - one entry in [`SeenDeposits`] for its deposit (a 76-byte key and a value of at most 54 bytes).
//!
//! Votes on an observation are stored only until it takes effect (with a threshold of one,
//! never); only conflicting reports stay, as evidence.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use frame_support::pallet_macros::import_section;
pub use pallet::*;

pub mod attestation;
mod chains;
pub mod crypto;
mod custody;
mod deadlines;
mod deposits;
mod events;
#[cfg(any(feature = "try-runtime", test))]
mod invariants;
mod ledger;
pub mod linked;
pub mod memo;
pub mod offchain;
mod operators;
mod outbound;
pub mod quote;
pub mod runtime_api;
mod storage;
mod trail;
mod transfers;
pub mod types;
pub mod vault_contract;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use types::*;
pub use weights::WeightInfo;

/// Log target of this pallet.
pub const LOG_TARGET: &str = "runtime::connection-chain";

/// The shortest deposit or payout window the admin may set, in blocks: room for the linked
/// chains' confirmations and the workers' reports.
pub const MIN_WINDOW: u32 = 10;

#[import_section(storage::storage)]
#[import_section(events::events)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			UnixTime,
		},
	};
	// frame_system's transaction-creation traits, which the workers' reports are made with.
	use frame_system::offchain as tx_creation;
	use frame_system::pallet_prelude::*;
	use sp_runtime::RuntimeAppPublic;

	/// The balance type of the connection chain's currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// A transfer record.
	pub type TransferOf<T> =
		Transfer<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
	/// An exchange rule.
	pub type RuleOf<T> = Rule<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;
	/// A campaign.
	pub type CampaignOf<T> = Campaign<BalanceOf<T>, BlockNumberFor<T>>;
	/// An outbound instruction.
	pub type InstructionOf<T> =
		OutboundInstruction<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;
	/// An observation reported by the workers.
	pub type ObservationOf<T> = Observation<<T as frame_system::Config>::AccountId>;
	/// The observations of one report.
	pub type ReportedObservations<T> =
		BoundedVec<ObservationOf<T>, <T as Config>::MaxObservationsPerReport>;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds on the connection chain.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// An operator's bond, held while it is registered.
		OperatorBond,
		/// A requester's deposit, held while its transfer record is open.
		RequestDeposit,
	}

	/// Configuration of the connection-chain pallet.
	#[pallet::config]
	pub trait Config:
		frame_system::Config + tx_creation::CreateAuthorizedTransaction<Call<Self>>
	{
		/// The connection chain's currency: bonds and request deposits are held in it.
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Registers and manages linked chains and the attestation authorities.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The attestation key of an authority.
		type AuthorityId: Member
			+ Parameter
			+ RuntimeAppPublic
			+ Ord
			+ MaybeSerializeDeserialize
			+ MaxEncodedLen;

		/// The connection chain's clock, for the trail's timestamps.
		type UnixTime: UnixTime;

		/// Bond an operator must put on hold to register.
		#[pallet::constant]
		type OperatorBond: Get<BalanceOf<Self>>;

		/// Deposit held from a requester while its transfer record is open.
		#[pallet::constant]
		type RequestDeposit: Get<BalanceOf<Self>>;

		/// Blocks a requester has to make the deposit, until the admin sets [`Windows`].
		#[pallet::constant]
		type DepositWindow: Get<BlockNumberFor<Self>>;

		/// Blocks the payout has to become final once the deposit is held, until the admin
		/// sets [`Windows`]; afterwards the workers must stop it and prove it dead before the
		/// deposit is refunded.
		#[pallet::constant]
		type PayoutWindow: Get<BlockNumberFor<Self>>;

		/// Most deadlines processed in one block (the rest wait for the next block).
		#[pallet::constant]
		type MaxDeadlinesPerBlock: Get<u32>;

		/// Most attestation authorities.
		#[pallet::constant]
		type MaxAuthorities: Get<u32>;

		/// Most campaigns on one rule.
		#[pallet::constant]
		type MaxCampaignsPerRule: Get<u32>;

		/// Transaction priority of the workers' reports.
		#[pallet::constant]
		type ReportPriority: Get<TransactionPriority>;

		/// Most observations in one report. A worker reports what it saw in one pass in as few
		/// reports as this allows: the signature check and the per-transaction overhead are
		/// then paid once for many observations.
		#[pallet::constant]
		type MaxObservationsPerReport: Get<u32>;

		/// Most transfers one settlement carries. The held deposits confirmed to an operator on
		/// a chain within one block go to its settlement account in one vault transaction per
		/// this many transfers, not one each: the source chain's vault then makes one
		/// transaction for them all, and the workers report one outcome.
		#[pallet::constant]
		type MaxSettlementBatch: Get<u32>;

		/// How long, in milliseconds from its block's timestamp, a worker run keeps watching the
		/// linked chains for blocks that become final (a pass every 250 ms),
		/// so that what becomes final during a block's slot is reported in time for the next
		/// block rather than at the next block's run. Less than the block time, so that a run
		/// ends before the next one starts; 0 reads the chains once per block.
		type WorkerPollWindow: Get<u64>;

		/// How the linked Substrate chain's runtime encodes its blocks and extrinsics.
		type SubstrateCodec: linked::SubstrateRuntimeCodec;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The attestation authorities.
		pub authorities: Vec<T::AuthorityId>,
		/// Reports needed for an observation to take effect (1 ≤ threshold ≤ authorities).
		pub threshold: u32,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if self.authorities.is_empty() {
				return;
			}
			Pallet::<T>::do_set_authorities(self.authorities.clone(), self.threshold)
				.expect("genesis authorities and threshold are valid");
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::process_deadlines(now)
		}

		fn offchain_worker(now: BlockNumberFor<T>) {
			Self::run_offchain_worker(now)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers a linked chain. `vault` is the raw account bytes of the vault on that
		/// chain (32 for Substrate, 20 for EVM).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_chain())]
		pub fn register_chain(
			origin: OriginFor<T>,
			kind: ChainKind,
			name: Vec<u8>,
			asset: AssetInfo,
			vault: Vec<u8>,
			confirmations: u32,
			volume_limit: VolumeLimit<BlockNumberFor<T>>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_register_chain(kind, name, asset, vault, confirmations, volume_limit)
		}

		/// Changes a linked chain's vault, confirmations or volume limit (`None` keeps the
		/// current value). The vault can only change while the ledger holds nothing in it.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_chain())]
		pub fn update_chain(
			origin: OriginFor<T>,
			chain: ChainId,
			vault: Option<Vec<u8>>,
			confirmations: Option<u32>,
			volume_limit: Option<VolumeLimit<BlockNumberFor<T>>>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_update_chain(chain, vault, confirmations, volume_limit)
		}

		/// Pauses a linked chain: no new requests from or to it; transfers in flight finish.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::pause_chain())]
		pub fn pause_chain(origin: OriginFor<T>, chain: ChainId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_chain_status(chain, ChainStatus::Paused)
		}

		/// Resumes a paused linked chain.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::resume_chain())]
		pub fn resume_chain(origin: OriginFor<T>, chain: ChainId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_chain_status(chain, ChainStatus::Active)
		}

		/// Sets the attestation authorities and the threshold of reports an observation needs.
		/// Reports in progress are counted against the new set from now on.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_authorities(authorities.len() as u32))]
		pub fn set_authorities(
			origin: OriginFor<T>,
			authorities: Vec<T::AuthorityId>,
			threshold: u32,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_authorities(authorities, threshold)
		}

		/// Retries a stuck outbound instruction (one that failed too often) as a new
		/// instruction, once the cause (e.g. an empty vault) is fixed.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::retry_instruction())]
		pub fn retry_instruction(
			origin: OriginFor<T>,
			instruction: InstructionId,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_retry_stuck(instruction)
		}

		/// Sets how long new transfers may wait for their deposit and for their payout. Each
		/// window is at least [`MIN_WINDOW`] blocks; transfers already requested keep theirs.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_windows())]
		pub fn set_windows(
			origin: OriginFor<T>,
			windows: DeadlineWindows<BlockNumberFor<T>>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_windows(windows)
		}

		/// Hands the vault of a chain to a threshold of the authorities: for an EVM chain a
		/// contract (`contracts/ConnectionVault.sol`) that pays only batches signed by
		/// `threshold` of `signers`, the same set the contract holds; for a Substrate chain the
		/// vault must be the `pallet-multisig` account of `signers` with `threshold`. One signer
		/// per authority, in the authorities' order, a majority threshold. Instructions created
		/// from now on are paid in batches the authorities approve.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_vault_custody())]
		pub fn set_vault_custody(
			origin: OriginFor<T>,
			chain: ChainId,
			custody: VaultCustody,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_vault_custody(chain, custody)
		}

		/// Registers the caller as an operator, holding the operator bond.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::register_operator())]
		pub fn register_operator(origin: OriginFor<T>) -> DispatchResult {
			let operator = ensure_signed(origin)?;
			Self::do_register_operator(operator)
		}

		/// Names the caller's settlement account on a chain (raw account bytes of its kind):
		/// settled deposits and withdrawals go there.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::set_settlement_account())]
		pub fn set_settlement_account(
			origin: OriginFor<T>,
			chain: ChainId,
			account: Vec<u8>,
		) -> DispatchResult {
			let operator = ensure_signed(origin)?;
			Self::do_set_settlement_account(operator, chain, account)
		}

		/// Creates or replaces the caller's rule for the ordered pair `source → destination`.
		/// Transfers already requested keep the terms they were quoted.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::set_rule())]
		pub fn set_rule(
			origin: OriginFor<T>,
			source: ChainId,
			destination: ChainId,
			terms: RuleTerms<BlockNumberFor<T>>,
		) -> DispatchResult {
			let operator = ensure_signed(origin)?;
			Self::do_set_rule(operator, source, destination, terms)
		}

		/// Removes one of the caller's rules, with its campaigns.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::remove_rule(T::MaxCampaignsPerRule::get()))]
		pub fn remove_rule(origin: OriginFor<T>, rule: RuleId) -> DispatchResult {
			let operator = ensure_signed(origin)?;
			Self::do_remove_rule(operator, rule)
		}

		/// Starts a campaign on one of the caller's rules.
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::create_campaign())]
		pub fn create_campaign(
			origin: OriginFor<T>,
			rule: RuleId,
			terms: CampaignTerms<BalanceOf<T>, BlockNumberFor<T>>,
		) -> DispatchResult {
			let operator = ensure_signed(origin)?;
			Self::do_create_campaign(operator, rule, terms)
		}

		/// Ends one of the caller's campaigns now.
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::end_campaign(T::MaxCampaignsPerRule::get()))]
		pub fn end_campaign(origin: OriginFor<T>, campaign: CampaignId) -> DispatchResult {
			let operator = ensure_signed(origin)?;
			Self::do_end_campaign(operator, campaign)
		}

		/// Withdraws free liquidity from a chain's vault to the caller's settlement account
		/// there, through a recorded outbound transfer.
		#[pallet::call_index(16)]
		#[pallet::weight(T::WeightInfo::withdraw_liquidity())]
		pub fn withdraw_liquidity(
			origin: OriginFor<T>,
			chain: ChainId,
			amount: LinkedAmount,
		) -> DispatchResult {
			let operator = ensure_signed(origin)?;
			Self::do_withdraw_liquidity(operator, chain, amount)
		}

		/// Deregisters the caller and releases its bond. Only possible with no open transfer,
		/// no rule, no liquidity left and no withdrawal in flight.
		#[pallet::call_index(17)]
		#[pallet::weight(T::WeightInfo::deregister_operator())]
		pub fn deregister_operator(origin: OriginFor<T>) -> DispatchResult {
			let operator = ensure_signed(origin)?;
			Self::do_deregister_operator(operator)
		}

		/// Requests a transfer under `rule`: the caller (or whoever controls `sender` on the
		/// source chain) then deposits `amount_in` from `sender` into the source vault, with the
		/// transfer id as reference, before the deposit deadline; the recipient receives at
		/// least `min_received` on the destination chain.
		///
		/// `client_reference` (up to 32 bytes) must be new for the caller: repeating a request
		/// with the same reference is refused, so a retried submission never makes two
		/// transfers.
		///
		/// Charged in advance for a rule with the most campaigns; what the rule's fewer
		/// campaigns did not use is refunded.
		#[pallet::call_index(20)]
		#[pallet::weight(T::WeightInfo::request_transfer(T::MaxCampaignsPerRule::get()))]
		pub fn request_transfer(
			origin: OriginFor<T>,
			rule: RuleId,
			amount_in: LinkedAmount,
			sender: Vec<u8>,
			recipient: Vec<u8>,
			min_received: LinkedAmount,
			client_reference: BoundedVec<u8, MaxClientReferenceLen>,
		) -> DispatchResultWithPostInfo {
			let requester = ensure_signed(origin)?;
			Self::do_request_transfer(
				requester,
				rule,
				amount_in,
				&sender,
				&recipient,
				min_received,
				client_reference,
			)?;
			Ok(Some(T::WeightInfo::request_transfer(Self::campaign_count(rule))).into())
		}

		/// Cancels one of the caller's transfers that has no deposit yet. Nothing moved, so
		/// nothing is returned but the request deposit.
		#[pallet::call_index(21)]
		#[pallet::weight(T::WeightInfo::cancel_transfer())]
		pub fn cancel_transfer(origin: OriginFor<T>, transfer: TransferId) -> DispatchResult {
			let requester = ensure_signed(origin)?;
			Self::do_cancel_transfer(requester, transfer)
		}

		/// An attestation authority reports what it observed on the linked chains: up to
		/// [`Config::MaxObservationsPerReport`] observations, each counted as this authority's
		/// vote on it. Submitted by the validators' off-chain workers as a fee-less authorized
		/// transaction; `signature` is the authority's signature of
		/// [`linked::signing_payload`].
		///
		/// Charged in advance as if every observation took the heaviest path; what was not used
		/// is refunded, so blocks fill by the work done.
		#[pallet::call_index(30)]
		#[pallet::weight(attestation::report_weight::<T>(observations.len() as u32))]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_report(observations.len() as u32))]
		#[pallet::authorize(Self::authorize_report)]
		pub fn report(
			origin: OriginFor<T>,
			observations: ReportedObservations<T>,
			authority: u32,
			// Checked in `authorize_report`.
			_signature: <T::AuthorityId as RuntimeAppPublic>::Signature,
		) -> DispatchResultWithPostInfo {
			ensure_authorized(origin)?;
			Ok(Some(Self::do_report_all(observations, authority)).into())
		}
	}
}

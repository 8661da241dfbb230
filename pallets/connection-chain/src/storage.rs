//! The pallet's storage, as a section of the pallet ([`crate::pallet`]). Which file writes
//! what: `docs/ARCHITECTURE.md`.

use frame_support::pallet_macros::pallet_section;

/// The storage items of the pallet.
#[pallet_section]
mod storage {
	// Linked chains.

	/// Id the next registered chain gets.
	#[pallet::storage]
	pub type NextChainId<T> = StorageValue<_, ChainId, ValueQuery>;

	/// Linked chains.
	#[pallet::storage]
	pub type Chains<T: Config> =
		StorageMap<_, Twox64Concat, ChainId, LinkedChain<BlockNumberFor<T>>>;

	/// What each chain's vault holds, as this pallet accounts for it.
	#[pallet::storage]
	pub type VaultLedgers<T> = StorageMap<_, Twox64Concat, ChainId, VaultLedger, ValueQuery>;

	/// Volume requested from each chain in its current period: (period start, volume).
	#[pallet::storage]
	pub type ChainVolume<T: Config> =
		StorageMap<_, Twox64Concat, ChainId, (BlockNumberFor<T>, LinkedAmount), ValueQuery>;

	/// The last vault balance and nonce the workers reported for each chain.
	#[pallet::storage]
	pub type ObservedVaultState<T> = StorageMap<_, Twox64Concat, ChainId, VaultSnapshot>;

	/// The windows of new transfers: the runtime's `DepositWindow` and `PayoutWindow` until the
	/// admin sets others. A transfer keeps the deadlines it got when it was requested.
	#[pallet::storage]
	pub type Windows<T> =
		StorageValue<_, DeadlineWindows<BlockNumberFor<T>>, ValueQuery, DefaultWindows<T>>;

	#[pallet::type_value]
	pub fn DefaultWindows<T: Config>() -> DeadlineWindows<BlockNumberFor<T>> {
		DeadlineWindows { deposit: T::DepositWindow::get(), payout: T::PayoutWindow::get() }
	}

	/// The vault account nonce the next outbound instruction of each chain gets. Starts at 0 (a
	/// fresh vault account) and moves past any nonce the workers see taken on the chain.
	#[pallet::storage]
	pub type NextVaultNonce<T> = StorageMap<_, Twox64Concat, ChainId, u64, ValueQuery>;

	// Operators, rules, campaigns.

	/// Registered operators.
	#[pallet::storage]
	pub type Operators<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, OperatorInfo<BalanceOf<T>>>;

	/// Each operator's settlement account on each linked chain.
	#[pallet::storage]
	pub type SettlementAccounts<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, ChainId, LinkedAccount>;

	/// Each operator's liquidity in each linked chain's vault.
	#[pallet::storage]
	pub type OperatorLiquidity<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		ChainId,
		Liquidity,
		ValueQuery,
	>;

	/// Id the next rule gets.
	#[pallet::storage]
	pub type NextRuleId<T> = StorageValue<_, RuleId, ValueQuery>;

	/// Exchange rules.
	#[pallet::storage]
	pub type Rules<T: Config> = StorageMap<_, Twox64Concat, RuleId, RuleOf<T>>;

	/// The rule of each operator for each ordered pair of chains (at most one).
	#[pallet::storage]
	pub type RuleByPair<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Twox64Concat, ChainId>,
			NMapKey<Twox64Concat, ChainId>,
		),
		RuleId,
	>;

	/// Id the next campaign gets.
	#[pallet::storage]
	pub type NextCampaignId<T> = StorageValue<_, CampaignId, ValueQuery>;

	/// Campaigns.
	#[pallet::storage]
	pub type Campaigns<T: Config> = StorageMap<_, Twox64Concat, CampaignId, CampaignOf<T>>;

	/// The campaigns of each rule.
	#[pallet::storage]
	pub type RuleCampaigns<T: Config> = StorageMap<
		_,
		Twox64Concat,
		RuleId,
		BoundedVec<CampaignId, T::MaxCampaignsPerRule>,
		ValueQuery,
	>;

	// Transfers.

	/// Id the next transfer gets.
	#[pallet::storage]
	pub type NextTransferId<T> = StorageValue<_, TransferId, ValueQuery>;

	/// Transfer records.
	#[pallet::storage]
	pub type Transfers<T: Config> = StorageMap<_, Twox64Concat, TransferId, TransferOf<T>>;

	/// Index: the transfers of each requester.
	#[pallet::storage]
	pub type TransfersByRequester<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, TransferId, ()>;

	/// Index: the transfers in each state.
	#[pallet::storage]
	pub type TransfersByState<T: Config> =
		StorageDoubleMap<_, Twox64Concat, TransferState, Twox64Concat, TransferId, ()>;

	/// Index: each requester's client references, to the transfer they made.
	#[pallet::storage]
	pub type ClientReferences<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		BoundedVec<u8, MaxClientReferenceLen>,
		TransferId,
	>;

	/// Deadlines due at each block: the transfers to check then.
	#[pallet::storage]
	pub type DeadlineQueue<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<TransferId, T::MaxDeadlinesPerBlock>,
		ValueQuery,
	>;

	/// The first block whose deadlines are not all processed yet.
	#[pallet::storage]
	pub type DeadlineCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	// Outbound instructions and deposits.

	/// Id the next outbound instruction gets.
	#[pallet::storage]
	pub type NextInstructionId<T> = StorageValue<_, InstructionId, ValueQuery>;

	/// Outbound instructions (kept after they end, as the record of the vault's transfers).
	#[pallet::storage]
	pub type Outbound<T: Config> = StorageMap<_, Twox64Concat, InstructionId, InstructionOf<T>>;

	/// The transfers each settlement settles, under the id of the instruction that opened the
	/// batch ([`OutboundPurpose::Settlement`]); removed once the settlement is final.
	#[pallet::storage]
	pub type SettlementBatches<T: Config> =
		StorageMap<_, Twox64Concat, InstructionId, BoundedVec<TransferId, T::MaxSettlementBatch>>;

	/// Per operator and source chain, the settlement opened in a block (that block, the
	/// instruction): transfers confirmed later in the same block join it. It is only ever
	/// changed in that block, so the workers, who read the state a block leaves, never see it
	/// change.
	#[pallet::storage]
	pub type OpenSettlement<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		ChainId,
		(BlockNumberFor<T>, InstructionId),
	>;

	/// Index: the instructions each chain's vault still has to execute or see final.
	#[pallet::storage]
	pub type PendingOutbound<T> =
		StorageDoubleMap<_, Twox64Concat, ChainId, Twox64Concat, InstructionId, ()>;

	/// Deposits already handled, by chain and transaction hash, and what became of each.
	#[pallet::storage]
	pub type SeenDeposits<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		ChainId,
		Identity,
		sp_core::H256,
		DepositReference<T::AccountId>,
	>;

	// Custody of the vaults.

	/// The signer set of each chain whose vault is a contract or a multisig account, paid by
	/// a threshold of the authorities.
	#[pallet::storage]
	pub type VaultCustodies<T> = StorageMap<_, Twox64Concat, ChainId, VaultCustody>;

	/// The batch of each chain that instructions created in this block join: the block, its
	/// vault nonce. A block's instructions share one batch, up to `MaxBatchPayments`.
	#[pallet::storage]
	pub type FillingBatch<T: Config> =
		StorageMap<_, Twox64Concat, ChainId, (BlockNumberFor<T>, u64)>;

	/// The instructions each open batch (chain, vault nonce) pays, in the order it pays them.
	#[pallet::storage]
	pub type VaultBatches<T> = StorageDoubleMap<
		_,
		Twox64Concat,
		ChainId,
		Twox64Concat,
		u64,
		BatchInstructions,
		ValueQuery,
	>;

	/// The approvals of each open batch (chain, vault nonce), of its payments (`false`) or of
	/// the empty batch that only takes its nonce (`true`).
	#[pallet::storage]
	pub type Approvals<T: Config> = StorageNMap<
		_,
		(NMapKey<Twox64Concat, ChainId>, NMapKey<Twox64Concat, u64>, NMapKey<Twox64Concat, bool>),
		BatchApprovals<BlockNumberFor<T>>,
		ValueQuery,
	>;

	/// The first opening the authorities attested of each open batch (chain, vault nonce) of
	/// a multisig vault: the only one they approve.
	#[pallet::storage]
	pub type MultisigOpenings<T> =
		StorageDoubleMap<_, Twox64Concat, ChainId, Twox64Concat, u64, MultisigOpening>;

	// Attestations.

	/// The attestation authorities, in index order.
	#[pallet::storage]
	pub type Authorities<T: Config> =
		StorageValue<_, BoundedVec<T::AuthorityId, T::MaxAuthorities>, ValueQuery>;

	/// How many distinct authorities must report the same observation for it to take effect.
	#[pallet::storage]
	pub type Threshold<T> = StorageValue<_, u32, ValueQuery>;

	/// Which authority reported which observation (by observation hash), until it takes effect.
	#[pallet::storage]
	pub type Votes<T> =
		StorageDoubleMap<_, Identity, sp_core::H256, Twox64Concat, u32, (), OptionQuery>;

	/// How many authorities reported each observation, until it takes effect.
	#[pallet::storage]
	pub type VoteCount<T> = StorageMap<_, Identity, sp_core::H256, u32, ValueQuery>;

	/// The distinct observations reported about each subject. More than one means the
	/// authorities disagree; the entry stays as evidence.
	#[pallet::storage]
	pub type SubjectReports<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		ObservationSubject,
		BoundedVec<sp_core::H256, T::MaxAuthorities>,
		ValueQuery,
	>;
}

//! The pallet's events and errors, as a section of the pallet ([`crate::pallet`]).

use frame_support::pallet_macros::pallet_section;

/// The events and errors of the pallet.
#[pallet_section]
mod events {
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A linked chain was registered.
		ChainRegistered { chain: ChainId, kind: ChainKind, vault: LinkedAccount },
		/// A linked chain's settings changed.
		ChainUpdated { chain: ChainId },
		/// A linked chain takes no new requests.
		ChainPaused { chain: ChainId },
		/// A linked chain takes new requests again.
		ChainResumed { chain: ChainId },
		/// The windows of new transfers changed.
		WindowsSet { windows: DeadlineWindows<BlockNumberFor<T>> },
		/// The attestation authorities or threshold changed.
		AuthoritiesSet { count: u32, threshold: u32 },
		/// An operator registered.
		OperatorRegistered { operator: T::AccountId, bond: BalanceOf<T> },
		/// An operator named its settlement account on a chain.
		SettlementAccountSet { operator: T::AccountId, chain: ChainId, account: LinkedAccount },
		/// An operator left; its bond was released.
		OperatorDeregistered { operator: T::AccountId },
		/// A rule was created or changed.
		RuleSet { rule: RuleId, operator: T::AccountId, source: ChainId, destination: ChainId },
		/// A rule was removed.
		RuleRemoved { rule: RuleId },
		/// A campaign was created.
		CampaignCreated { campaign: CampaignId, rule: RuleId },
		/// A campaign was ended.
		CampaignEnded { campaign: CampaignId },
		/// An operator's liquidity deposit was credited.
		LiquidityDeposited { operator: T::AccountId, chain: ChainId, amount: LinkedAmount },
		/// An operator asked to withdraw liquidity; the vault will pay it out.
		LiquidityWithdrawalRequested {
			operator: T::AccountId,
			chain: ChainId,
			amount: LinkedAmount,
			instruction: InstructionId,
		},
		/// A transfer was requested, or opened by its deposit (no requester; the deposit
		/// deadline is the block it was opened in).
		TransferRequested {
			transfer: TransferId,
			requester: Option<T::AccountId>,
			rule: RuleId,
			amount_in: LinkedAmount,
			amount_out: LinkedAmount,
			fee: LinkedAmount,
			campaign: Option<CampaignId>,
			deposit_deadline: BlockNumberFor<T>,
		},
		/// A step was added to a transfer's trail, or an existing step reached its outcome.
		TrailStepRecorded { transfer: TransferId, index: u32, kind: StepKind, result: StepResult },
		/// A transfer changed state.
		TransferStateChanged { transfer: TransferId, from: TransferState, to: TransferState },
		/// The payout deadline passed: the workers must stop the payout and prove it dead.
		PayoutCancellationRequested { transfer: TransferId, instruction: InstructionId },
		/// The vault of a chain must make a transfer.
		InstructionCreated {
			instruction: InstructionId,
			chain: ChainId,
			purpose: OutboundPurpose<T::AccountId>,
			recipient: LinkedAccount,
			amount: LinkedAmount,
		},
		/// A transfer's held deposit joined a settlement to its operator; the instruction's
		/// amount grew by `amount` (its `InstructionCreated` names the first transfer's).
		SettlementJoined { instruction: InstructionId, transfer: TransferId, amount: LinkedAmount },
		/// An instruction reached its outcome.
		InstructionConcluded { instruction: InstructionId, status: OutboundStatus },
		/// An instruction failed too often and waits for the admin to retry it.
		InstructionStuck { instruction: InstructionId },
		/// A deposit was not accepted and will be returned to its sender.
		DepositRejected {
			chain: ChainId,
			tx_hash: sp_core::H256,
			from: LinkedAccount,
			amount: LinkedAmount,
			reason: DepositRejection,
			instruction: InstructionId,
		},
		/// An authority reported an observation.
		Reported { authority: u32, observation: sp_core::H256, votes: u32 },
		/// An observation reached the threshold and took effect.
		ObservationApplied { observation: sp_core::H256 },
		/// An observation reached the threshold but no longer applied (the state moved on).
		ObservationObsolete { observation: sp_core::H256 },
		/// Authorities reported different observations about the same subject.
		ConflictingReports { subject: ObservationSubject, observations: u32 },
		/// A vault balance was reported; `expected` is what the ledger says it should hold.
		/// A balance below `expected` means the vault cannot cover what it owes: alert on it.
		VaultStateObserved {
			chain: ChainId,
			balance: LinkedAmount,
			expected: LinkedAmount,
			nonce: u64,
		},
		/// The vault paid `fee` on its chain for an instruction's transaction; `operator` is
		/// whose free liquidity paid it, `unpaid` the part nobody's liquidity could cover.
		VaultFeePaid {
			chain: ChainId,
			instruction: InstructionId,
			fee: LinkedAmount,
			operator: Option<T::AccountId>,
			unpaid: LinkedAmount,
		},
		/// The vault cannot pay the fee of an instruction's transaction: it waits until someone
		/// tops the vault up. Alert on it.
		VaultCannotPayFees { chain: ChainId, instruction: InstructionId },
		/// The vault of a chain is a contract (EVM) or a multisig account (Substrate) that pays
		/// only batches approved by `threshold` of its `signers`, one per authority.
		VaultCustodySet { chain: ChainId, signers: u32, threshold: u32 },
		/// An authority approved the batch `nonce` of a chain's vault contract: its payments,
		/// or (`takes_nonce_only`) the empty batch that cancels them; `approvals` so far.
		BatchApproved {
			chain: ChainId,
			nonce: u64,
			takes_nonce_only: bool,
			authority: u32,
			approvals: u32,
		},
		/// An authority's approval of a batch did not verify (signed by another key, or for other
		/// payments): it was not counted.
		ApprovalRefused { chain: ChainId, nonce: u64, authority: u32 },
		/// The batch `nonce` of a chain's multisig vault was opened at `opening`: the
		/// authorities approve that operation and no other.
		MultisigOpened { chain: ChainId, nonce: u64, opening: MultisigOpening },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No linked chain with this id.
		UnknownChain,
		/// The chain is paused: it takes no new requests.
		ChainPaused,
		/// The chain is not paused.
		ChainNotPaused,
		/// The chain is already paused.
		ChainAlreadyPaused,
		/// The account is not a valid account of the chain's kind.
		MalformedAccount,
		/// A name or symbol is empty or too long.
		BadName,
		/// A volume limit needs a non-zero period.
		BadVolumeLimit,
		/// A deposit or payout window is shorter than [`MIN_WINDOW`] blocks.
		WindowTooShort,
		/// The vault cannot change while it holds anything for the pallet.
		VaultInUse,
		/// The number of authorities is zero or above the maximum.
		BadAuthorities,
		/// The threshold must be between 1 and the number of authorities.
		BadThreshold,
		/// The caller is already an operator.
		AlreadyOperator,
		/// The caller is not an operator.
		NotOperator,
		/// The bond cannot be held.
		CannotHoldBond,
		/// The operator still has open transfers, rules, liquidity or withdrawals.
		OperatorBusy,
		/// The operator has no settlement account on that chain.
		NoSettlementAccount,
		/// The operator's free liquidity does not cover the amount.
		InsufficientLiquidity,
		/// The amount must be above zero.
		ZeroAmount,
		/// No rule with this id.
		UnknownRule,
		/// Source and destination must be different chains.
		SameChain,
		/// The rate's denominator must not be zero, nor its numerator.
		BadRate,
		/// The rule's minimum is above its maximum, or its window ends before it starts.
		BadRuleLimits,
		/// The caller does not own this rule.
		NotRuleOwner,
		/// The rule is outside its validity window.
		RuleNotValid,
		/// The amount is below the rule's minimum.
		AmountTooSmall,
		/// The amount is above the rule's maximum.
		AmountTooLarge,
		/// The fee takes the whole amount.
		FeeExceedsAmount,
		/// The recipient would receive nothing.
		NothingReceived,
		/// The amounts overflow.
		Overflow,
		/// The quote gives less than `min_received`.
		BelowMinReceived,
		/// The request would exceed the source chain's volume limit for this period.
		VolumeLimitExceeded,
		/// The client reference is already used by one of the caller's transfers.
		DuplicateClientReference,
		/// The request deposit cannot be held.
		CannotHoldRequestDeposit,
		/// No campaign with this id.
		UnknownCampaign,
		/// The rule has as many campaigns as allowed.
		TooManyCampaigns,
		/// The campaign's window ends before it starts, or it changes nothing.
		BadCampaign,
		/// No transfer with this id.
		UnknownTransfer,
		/// Only the requester can do this.
		NotRequester,
		/// The transfer is past the point where this is possible.
		InvalidTransferState,
		/// The deadline queue is full for the next many blocks.
		DeadlineQueueFull,
		/// No instruction with this id.
		UnknownInstruction,
		/// The instruction is not stuck.
		InstructionNotStuck,
		/// The books would not balance: a posting overflowed, or took more from a figure than
		/// it holds. Nothing was changed; the pallet's state is inconsistent and needs a look.
		LedgerOutOfBalance,
		/// A vault custody that the contract would refuse: no signers, a signer twice or zero,
		/// a threshold that is not a majority of them, a signer count other than the number of
		/// authorities, or a chain that is not an EVM chain.
		BadCustody,
	}
}

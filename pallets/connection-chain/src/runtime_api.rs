//! The runtime API clients use to read the pallet: quotes, transfers, vault ledgers and the
//! vaults' pending instructions.

use crate::types::*;
use alloc::vec::Vec;
use codec::Codec;

sp_api::decl_runtime_apis! {
	/// Reads of the connection-chain pallet.
	pub trait ConnectionChainApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// The best quote for `amount_in` under `rule` now, for `requester` if given (holder-only
		/// campaigns apply only to a named requester who holds enough).
		fn quote(rule: RuleId, amount_in: LinkedAmount, requester: Option<AccountId>) -> Result<Quote, QuoteError>;

		/// One transfer record.
		fn transfer(id: TransferId) -> Option<Transfer<AccountId, Balance, BlockNumber>>;

		/// Up to `limit` transfers of `requester`, continuing after `after` (the `next` of the
		/// previous page), in storage order.
		fn transfers_by_requester(requester: AccountId, after: Option<TransferId>, limit: u32)
			-> Page<(TransferId, Transfer<AccountId, Balance, BlockNumber>)>;

		/// Up to `limit` transfers in `state`, continuing after `after`, in storage order.
		fn transfers_by_state(state: TransferState, after: Option<TransferId>, limit: u32)
			-> Page<(TransferId, Transfer<AccountId, Balance, BlockNumber>)>;

		/// What a chain's vault holds according to the ledger, and what it should hold.
		fn vault_ledger(chain: ChainId) -> Option<(VaultLedger, LinkedAmount)>;

		/// The instructions a chain's vault still has to execute or see final.
		fn pending_outbound(chain: ChainId) -> Vec<(InstructionId, OutboundInstruction<AccountId, BlockNumber>)>;
	}
}

impl<T: crate::Config> crate::Pallet<T> {
	/// A page of the transfers of `requester` (runtime API `transfers_by_requester`).
	pub fn transfers_of_requester(
		requester: T::AccountId,
		after: Option<TransferId>,
		limit: u32,
	) -> Page<(TransferId, crate::TransferOf<T>)> {
		let keys = match after {
			Some(after) => crate::TransfersByRequester::<T>::iter_key_prefix_from(
				&requester,
				crate::TransfersByRequester::<T>::hashed_key_for(&requester, after),
			),
			None => crate::TransfersByRequester::<T>::iter_key_prefix(&requester),
		};
		Self::page(keys, limit)
	}

	/// A page of the transfers in `state` (runtime API `transfers_by_state`).
	pub fn transfers_in_state(
		state: TransferState,
		after: Option<TransferId>,
		limit: u32,
	) -> Page<(TransferId, crate::TransferOf<T>)> {
		let keys = match after {
			Some(after) => crate::TransfersByState::<T>::iter_key_prefix_from(
				state,
				crate::TransfersByState::<T>::hashed_key_for(state, after),
			),
			None => crate::TransfersByState::<T>::iter_key_prefix(state),
		};
		Self::page(keys, limit)
	}

	fn page(
		keys: impl Iterator<Item = TransferId>,
		limit: u32,
	) -> Page<(TransferId, crate::TransferOf<T>)> {
		let mut keys = keys.peekable();
		let page: Vec<TransferId> = keys.by_ref().take(limit as usize).collect();
		let next = if keys.peek().is_some() { page.last().copied() } else { None };
		let items = page
			.into_iter()
			.filter_map(|id| crate::Transfers::<T>::get(id).map(|transfer| (id, transfer)))
			.collect();
		Page { items, next }
	}

	/// A chain's vault ledger and what the vault should hold (runtime API `vault_ledger`).
	pub fn vault_ledger(chain: ChainId) -> Option<(VaultLedger, LinkedAmount)> {
		crate::Chains::<T>::contains_key(chain).then(|| {
			let ledger = crate::VaultLedgers::<T>::get(chain);
			(ledger, ledger.expected_vault_balance().unwrap_or(LinkedAmount::MAX))
		})
	}

	/// The open instructions of a chain's vault (runtime API `pending_outbound`).
	pub fn pending_outbound(chain: ChainId) -> Vec<(InstructionId, crate::InstructionOf<T>)> {
		crate::PendingOutbound::<T>::iter_key_prefix(chain)
			.filter_map(|id| crate::Outbound::<T>::get(id).map(|instruction| (id, instruction)))
			.collect()
	}
}

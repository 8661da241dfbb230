//! The invariants of the pallet's storage, checked by `try_state` and after every unit test:
//! each check sums one side of the books from the records, and the vault ledgers must equal
//! those sums.

use crate::{pallet::*, types::*};
use alloc::collections::{btree_map::BTreeMap, btree_set::BTreeSet};
use frame_support::ensure;
use sp_runtime::TryRuntimeError;

/// A figure per chain, summed from the records.
type PerChain = BTreeMap<ChainId, LinkedAmount>;

impl<T: Config> Pallet<T> {
	/// Checks every invariant of the pallet's storage:
	/// - every transfer is in exactly one state index, the one of its state, and in its
	///   requester's index; its hold state is its state's; each operator's open-transfer count
	///   is right;
	/// - no two open instructions share a vault nonce, each settlement owes the sum of its
	///   transfers' deposits, and the pending index lists exactly the open instructions;
	/// - per chain, the vault ledger equals the sums it summarises (held deposits, operator
	///   liquidity, what the vault owes).
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let held = Self::check_transfers()?;
		let pending = Self::check_instructions()?;
		let mut liquidity = PerChain::new();
		for (_, chain, l) in OperatorLiquidity::<T>::iter() {
			*liquidity.entry(chain).or_default() += l.free + l.reserved;
		}
		for chain in Chains::<T>::iter_keys() {
			let sum = |figures: &PerChain| figures.get(&chain).copied().unwrap_or(0);
			let ledger = VaultLedgers::<T>::get(chain);
			ensure!(ledger.held == sum(&held), "held does not add up");
			ensure!(
				ledger.operator_liquidity == sum(&liquidity),
				"operator liquidity does not add up"
			);
			ensure!(ledger.pending_outbound == sum(&pending), "pending outbound does not add up");
			ensure!(ledger.expected_vault_balance().is_some(), "vault ledger overflows");
		}
		Ok(())
	}

	/// Checks the transfers and their indices; returns the deposits held per source chain.
	fn check_transfers() -> Result<PerChain, TryRuntimeError> {
		let mut held = PerChain::new();
		let mut open_by_operator: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		let mut transfers = 0u32;
		for (id, transfer) in Transfers::<T>::iter() {
			transfers += 1;
			if transfer.hold == HoldState::Held {
				*held.entry(transfer.source.chain).or_default() += transfer.source.amount;
			}
			if !transfer.state.is_terminal() {
				*open_by_operator.entry(transfer.operator.clone()).or_default() += 1;
			}
			ensure!(
				TransfersByState::<T>::contains_key(transfer.state, id),
				"transfer missing from its state index"
			);
			ensure!(
				transfer.requester.as_ref().is_none_or(|requester| {
					TransfersByRequester::<T>::contains_key(requester, id)
				}),
				"transfer missing from its requester index"
			);
			ensure!(
				transfer.hold == transfer.state.hold(),
				"hold state does not match the transfer state"
			);
		}
		ensure!(
			TransfersByState::<T>::iter_keys().count() as u32 == transfers,
			"a transfer is in more than one state index"
		);
		for (operator, info) in Operators::<T>::iter() {
			let open = open_by_operator.get(&operator).copied().unwrap_or(0);
			ensure!(info.open_transfers == open, "operator open-transfer count is wrong");
		}
		Ok(held)
	}

	/// Checks the outbound instructions; returns what each chain's vault still owes.
	fn check_instructions() -> Result<PerChain, TryRuntimeError> {
		let mut pending = PerChain::new();
		let mut open_nonces = BTreeSet::new();
		for (id, instruction) in Outbound::<T>::iter() {
			let open = Self::instruction_is_open(&instruction.status);
			if open {
				// A vault contract's nonce is a batch: its open instructions share it, listed.
				let batched = VaultCustodies::<T>::contains_key(instruction.chain);
				if batched {
					ensure!(
						VaultBatches::<T>::get(instruction.chain, instruction.nonce).contains(&id),
						"an open instruction of a vault contract is in no batch"
					);
				} else {
					ensure!(
						open_nonces.insert((instruction.chain, instruction.nonce)),
						"two open instructions share a vault nonce"
					);
				}
				ensure!(
					instruction.nonce < NextVaultNonce::<T>::get(instruction.chain),
					"an open instruction's nonce is not below the chain's next nonce"
				);
			}
			if open || instruction.status == OutboundStatus::Stuck {
				*pending.entry(instruction.chain).or_default() += instruction.amount;
				if let OutboundPurpose::Settlement(batch) = instruction.purpose {
					Self::check_settlement(batch, instruction.amount)?;
				}
			}
			ensure!(
				PendingOutbound::<T>::contains_key(instruction.chain, id) == open,
				"pending-outbound index does not match the instruction status"
			);
		}
		Ok(pending)
	}

	/// An owed settlement carries settling transfers whose deposits add up to its amount.
	fn check_settlement(batch: InstructionId, amount: LinkedAmount) -> Result<(), TryRuntimeError> {
		let transfers = SettlementBatches::<T>::get(batch).unwrap_or_default();
		ensure!(!transfers.is_empty(), "an owed settlement settles no transfer");
		let mut settled: LinkedAmount = 0;
		for transfer in transfers.iter().filter_map(Transfers::<T>::get) {
			ensure!(
				transfer.state == TransferState::Settling,
				"a settlement carries a transfer that is not settling"
			);
			settled = settled.saturating_add(transfer.source.amount);
		}
		ensure!(
			settled == amount,
			"a settlement's amount is not the sum of its transfers' deposits"
		);
		Ok(())
	}
}

//! The linked chains, the deadline windows, the attestation authorities and what the workers
//! report of each vault: the admin's side of the pallet.

use crate::{pallet::*, types::*, MIN_WINDOW};
use alloc::vec::Vec;
use frame_support::{ensure, traits::UnixTime, BoundedVec};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::Zero, DispatchResult};

impl<T: Config> Pallet<T> {
	/// The connection chain's current block and time.
	pub(crate) fn stamp() -> Stamp<BlockNumberFor<T>> {
		let time = T::UnixTime::now().as_millis();
		Stamp {
			block: frame_system::Pallet::<T>::block_number(),
			time: Moment::try_from(time).unwrap_or(Moment::MAX),
		}
	}

	pub(crate) fn do_register_chain(
		kind: ChainKind,
		name: Vec<u8>,
		asset: AssetInfo,
		vault: Vec<u8>,
		confirmations: u32,
		volume_limit: VolumeLimit<BlockNumberFor<T>>,
	) -> DispatchResult {
		let name: BoundedVec<u8, MaxNameLen> = name.try_into().map_err(|_| Error::<T>::BadName)?;
		ensure!(!name.is_empty() && !asset.symbol.is_empty(), Error::<T>::BadName);
		ensure!(!volume_limit.period.is_zero(), Error::<T>::BadVolumeLimit);
		let vault = LinkedAccount::parse(kind, &vault).ok_or(Error::<T>::MalformedAccount)?;
		let chain = NextChainId::<T>::get();
		let next = chain.checked_add(1).ok_or(Error::<T>::Overflow)?;
		NextChainId::<T>::put(next);
		let status = ChainStatus::Active;
		let linked = LinkedChain { kind, name, asset, vault, confirmations, status, volume_limit };
		Chains::<T>::insert(chain, linked);
		Self::deposit_event(Event::ChainRegistered { chain, kind, vault });
		Ok(())
	}

	pub(crate) fn do_update_chain(
		chain: ChainId,
		vault: Option<Vec<u8>>,
		confirmations: Option<u32>,
		volume_limit: Option<VolumeLimit<BlockNumberFor<T>>>,
	) -> DispatchResult {
		let mut linked = Chains::<T>::get(chain).ok_or(Error::<T>::UnknownChain)?;
		if let Some(vault) = vault {
			linked.vault =
				LinkedAccount::parse(linked.kind, &vault).ok_or(Error::<T>::MalformedAccount)?;
			ensure!(
				VaultLedgers::<T>::get(chain) == VaultLedger::default(),
				Error::<T>::VaultInUse
			);
		}
		if let Some(confirmations) = confirmations {
			linked.confirmations = confirmations;
		}
		if let Some(limit) = volume_limit {
			ensure!(!limit.period.is_zero(), Error::<T>::BadVolumeLimit);
			linked.volume_limit = limit;
		}
		Chains::<T>::insert(chain, linked);
		Self::deposit_event(Event::ChainUpdated { chain });
		Ok(())
	}

	/// Pauses (`Paused`) or resumes (`Active`) a chain.
	pub(crate) fn do_set_chain_status(chain: ChainId, status: ChainStatus) -> DispatchResult {
		let mut linked = Chains::<T>::get(chain).ok_or(Error::<T>::UnknownChain)?;
		let unchanged = match status {
			ChainStatus::Paused => Error::<T>::ChainAlreadyPaused,
			ChainStatus::Active => Error::<T>::ChainNotPaused,
		};
		ensure!(linked.status != status, unchanged);
		linked.status = status;
		Chains::<T>::insert(chain, linked);
		Self::deposit_event(match status {
			ChainStatus::Paused => Event::ChainPaused { chain },
			ChainStatus::Active => Event::ChainResumed { chain },
		});
		Ok(())
	}

	pub(crate) fn do_set_windows(windows: DeadlineWindows<BlockNumberFor<T>>) -> DispatchResult {
		let min = BlockNumberFor::<T>::from(MIN_WINDOW);
		ensure!(windows.deposit >= min && windows.payout >= min, Error::<T>::WindowTooShort);
		Windows::<T>::put(windows);
		Self::deposit_event(Event::WindowsSet { windows });
		Ok(())
	}

	pub(crate) fn do_set_authorities(
		authorities: Vec<T::AuthorityId>,
		threshold: u32,
	) -> DispatchResult {
		let count = u32::try_from(authorities.len()).map_err(|_| Error::<T>::BadAuthorities)?;
		let authorities: BoundedVec<_, T::MaxAuthorities> =
			authorities.try_into().map_err(|_| Error::<T>::BadAuthorities)?;
		ensure!(count > 0, Error::<T>::BadAuthorities);
		ensure!(threshold >= 1 && threshold <= count, Error::<T>::BadThreshold);
		Authorities::<T>::put(authorities);
		Threshold::<T>::put(threshold);
		Self::deposit_event(Event::AuthoritiesSet { count, threshold });
		Ok(())
	}

	/// The workers read a vault's balance and nonce: kept as the chain's latest, and the vault
	/// nonces taken outside the connection chain are never assigned again. Returns whether the
	/// chain is still registered.
	pub(crate) fn apply_vault_state(chain: ChainId, snapshot: VaultSnapshot) -> bool {
		if !Chains::<T>::contains_key(chain) {
			return false;
		}
		ObservedVaultState::<T>::insert(chain, snapshot);
		NextVaultNonce::<T>::mutate(chain, |next| *next = (*next).max(snapshot.nonce));
		let expected = VaultLedgers::<T>::get(chain).expected_vault_balance().unwrap_or(u128::MAX);
		Self::deposit_event(Event::VaultStateObserved {
			chain,
			balance: snapshot.balance,
			expected,
			nonce: snapshot.nonce,
		});
		true
	}
}

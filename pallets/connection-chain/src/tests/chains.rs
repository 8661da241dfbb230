//! Linked chains and the admin's calls.

use super::*;
use crate::{Chains, Event};
use sp_runtime::DispatchError::BadOrigin;

fn symbol(text: &str) -> AssetInfo {
	AssetInfo { symbol: text.as_bytes().to_vec().try_into().unwrap(), decimals: 18 }
}
const LIMIT: VolumeLimit<u64> = VolumeLimit { max_per_period: 1, period: 10 };

#[test]
fn register_chain_validates_the_vault_for_the_chain_kind() {
	new_test_ext().execute_with(|| {
		let register = |kind, vault: Vec<u8>| {
			ConnectionChain::register_chain(
				RuntimeOrigin::root(),
				kind,
				b"X".to_vec(),
				symbol("X"),
				vault,
				1,
				LIMIT,
			)
		};
		assert_noop!(register(ChainKind::Evm, vec![1; 32]), Error::<Test>::MalformedAccount);
		assert_noop!(register(ChainKind::Substrate, vec![1; 20]), Error::<Test>::MalformedAccount);
		assert_noop!(register(ChainKind::Substrate, vec![]), Error::<Test>::MalformedAccount);
		assert_ok!(register(ChainKind::Evm, vec![7; 20]));
		let chain = Chains::<Test>::get(2).unwrap();
		assert_eq!((chain.vault, chain.status), (LinkedAccount::Evm([7; 20]), ChainStatus::Active));
		assert!(events().contains(&Event::ChainRegistered {
			chain: 2,
			kind: ChainKind::Evm,
			vault: LinkedAccount::Evm([7; 20])
		}));
	});
}

#[test]
fn register_chain_rejects_bad_input_and_non_admins() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ConnectionChain::register_chain(
				RuntimeOrigin::signed(OPERATOR),
				ChainKind::Evm,
				b"X".to_vec(),
				symbol("X"),
				vec![7; 20],
				1,
				LIMIT
			),
			BadOrigin
		);
		assert_noop!(
			ConnectionChain::register_chain(
				RuntimeOrigin::root(),
				ChainKind::Evm,
				vec![b'x'; 33],
				symbol("X"),
				vec![7; 20],
				1,
				LIMIT
			),
			Error::<Test>::BadName
		);
		assert_noop!(
			ConnectionChain::register_chain(
				RuntimeOrigin::root(),
				ChainKind::Evm,
				vec![],
				symbol("X"),
				vec![7; 20],
				1,
				LIMIT
			),
			Error::<Test>::BadName
		);
		assert_noop!(
			ConnectionChain::register_chain(
				RuntimeOrigin::root(),
				ChainKind::Evm,
				b"X".to_vec(),
				symbol("X"),
				vec![7; 20],
				1,
				VolumeLimit { max_per_period: 1, period: 0 }
			),
			Error::<Test>::BadVolumeLimit
		);
	});
}

#[test]
fn update_chain_changes_settings_but_not_a_vault_in_use() {
	new_test_ext().execute_with(|| {
		assert_ok!(ConnectionChain::update_chain(
			RuntimeOrigin::root(),
			EVM,
			Some(vec![9; 20]),
			Some(5),
			None
		));
		let chain = Chains::<Test>::get(EVM).unwrap();
		assert_eq!((chain.vault, chain.confirmations), (LinkedAccount::Evm([9; 20]), 5));
		assert_noop!(
			ConnectionChain::update_chain(
				RuntimeOrigin::root(),
				EVM,
				Some(vec![9; 32]),
				None,
				None
			),
			Error::<Test>::MalformedAccount
		);
		assert_noop!(
			ConnectionChain::update_chain(RuntimeOrigin::root(), 7, None, None, None),
			Error::<Test>::UnknownChain
		);
		with_operator();
		assert_noop!(
			ConnectionChain::update_chain(
				RuntimeOrigin::root(),
				EVM,
				Some(vec![8; 20]),
				None,
				None
			),
			Error::<Test>::VaultInUse
		);
		assert_noop!(
			ConnectionChain::update_chain(
				RuntimeOrigin::root(),
				EVM,
				None,
				None,
				Some(VolumeLimit { max_per_period: 5, period: 0 })
			),
			Error::<Test>::BadVolumeLimit
		);
		assert_noop!(
			ConnectionChain::update_chain(
				RuntimeOrigin::signed(OPERATOR),
				EVM,
				None,
				Some(1),
				None
			),
			BadOrigin
		);
	});
}

#[test]
fn a_paused_chain_takes_no_requests_but_lets_transfers_in_flight_finish() {
	new_test_ext().execute_with(|| {
		with_operator();
		let in_flight = request(SUB_TO_EVM, 1_000, "before");
		assert_ok!(ConnectionChain::pause_chain(RuntimeOrigin::root(), EVM));
		assert_noop!(
			ConnectionChain::pause_chain(RuntimeOrigin::root(), EVM),
			Error::<Test>::ChainAlreadyPaused
		);
		assert_noop!(try_request(SUB_TO_EVM, 1_000, "after"), Error::<Test>::ChainPaused);
		deposit(in_flight, 1_000, 1);
		finalize(instruction_of(in_flight, StepKind::Payout), 2);
		finalize(instruction_of(in_flight, StepKind::Settlement), 3);
		assert_eq!(transfer(in_flight).state, TransferState::Completed);
		assert_ok!(ConnectionChain::resume_chain(RuntimeOrigin::root(), EVM));
		assert_noop!(
			ConnectionChain::resume_chain(RuntimeOrigin::root(), EVM),
			Error::<Test>::ChainNotPaused
		);
		assert_noop!(ConnectionChain::pause_chain(RuntimeOrigin::signed(OPERATOR), EVM), BadOrigin);
		assert_noop!(
			ConnectionChain::pause_chain(RuntimeOrigin::root(), 9),
			Error::<Test>::UnknownChain
		);
		request(SUB_TO_EVM, 1_000, "resumed");
		check_invariants();
	});
}

#[test]
fn set_authorities_checks_count_and_threshold() {
	new_test_ext().execute_with(|| {
		let keys = |n: u64| (1..=n).map(Into::into).collect::<Vec<_>>();
		assert_noop!(
			ConnectionChain::set_authorities(RuntimeOrigin::root(), keys(0), 1),
			Error::<Test>::BadAuthorities
		);
		assert_noop!(
			ConnectionChain::set_authorities(RuntimeOrigin::root(), keys(9), 1),
			Error::<Test>::BadAuthorities
		);
		assert_noop!(
			ConnectionChain::set_authorities(RuntimeOrigin::root(), keys(3), 0),
			Error::<Test>::BadThreshold
		);
		assert_noop!(
			ConnectionChain::set_authorities(RuntimeOrigin::root(), keys(3), 4),
			Error::<Test>::BadThreshold
		);
		assert_noop!(
			ConnectionChain::set_authorities(RuntimeOrigin::signed(OPERATOR), keys(3), 2),
			BadOrigin
		);
		assert_ok!(ConnectionChain::set_authorities(RuntimeOrigin::root(), keys(4), 3));
		assert_eq!(
			(crate::Authorities::<Test>::get().len(), crate::Threshold::<Test>::get()),
			(4, 3)
		);
	});
}

#[test]
fn the_volume_limit_caps_requests_per_period() {
	new_test_ext().execute_with(|| {
		with_operator();
		assert_ok!(ConnectionChain::update_chain(
			RuntimeOrigin::root(),
			SUBSTRATE,
			None,
			None,
			Some(VolumeLimit { max_per_period: 2_500, period: 10 })
		));
		request(SUB_TO_EVM, 1_000, "v1");
		request(SUB_TO_EVM, 1_000, "v2");
		assert_noop!(try_request(SUB_TO_EVM, 1_000, "v3"), Error::<Test>::VolumeLimitExceeded);
		run_to_block(11);
		request(SUB_TO_EVM, 1_000, "v3");
		check_invariants();
	});
}

#[test]
fn the_admin_sets_the_windows_of_new_transfers_only() {
	new_test_ext().execute_with(|| {
		with_operator();
		let before = request(SUB_TO_EVM, 1_000, "before");
		let short = DeadlineWindows { deposit: crate::MIN_WINDOW as u64, payout: 12 };
		assert_noop!(
			ConnectionChain::set_windows(RuntimeOrigin::signed(ADMIN_FREE), short),
			BadOrigin
		);
		for too_short in [
			DeadlineWindows { deposit: crate::MIN_WINDOW as u64 - 1, payout: 12 },
			DeadlineWindows { deposit: 12, payout: 0 },
		] {
			assert_noop!(
				ConnectionChain::set_windows(RuntimeOrigin::root(), too_short),
				Error::<Test>::WindowTooShort
			);
		}
		assert_ok!(ConnectionChain::set_windows(RuntimeOrigin::root(), short));
		assert_eq!(events().last(), Some(&Event::WindowsSet { windows: short }));

		let after = request(SUB_TO_EVM, 1_000, "after");
		let now = System::block_number();
		assert_eq!(transfer(after).deposit_deadline, now + crate::MIN_WINDOW as u64);
		assert_eq!(transfer(before).deposit_deadline, 1 + DEPOSIT_WINDOW);
		// The new window runs out first: only the later request has expired.
		run_to_block(now + crate::MIN_WINDOW as u64);
		assert_eq!(transfer(after).state, TransferState::Expired);
		assert_eq!(transfer(before).state, TransferState::AwaitingDeposit);
		// Its payout window too.
		deposit(before, 1_000, 1);
		assert_eq!(transfer(before).payout_deadline, Some(System::block_number() + 12));
		check_invariants();
	});
}

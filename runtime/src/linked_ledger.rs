//! How the connection chain's off-chain worker reads and writes a linked Substrate chain that
//! runs this same runtime (the `linked_ledger` preset): its extrinsics, events and accounts are
//! decoded and built with this runtime's own types.
//!
//! - A **deposit** is a `Balances::Transfer` event into the vault in an extrinsic that
//!   succeeded; its memo is the `system.remark` batched with it
//!   (`utility.batch_all([balances.transfer_keep_alive(vault, amount), system.remark(memo)])`).
//!   Several transfers into the vault in one extrinsic count as one deposit of their sum.
//! - A **vault transaction** is an extrinsic signed by the vault: its nonce, the transfer it
//!   made (its first `Balances::Transfer` out of the vault), its result and the fee it paid.
//! - The vault pays with `balances.transfer_keep_alive`, so the vault account is never reaped
//!   (which would reset its nonce); a nonce is taken without moving anything by an empty
//!   `system.remark`.

use crate::{
	tx_extension, AccountId, Balance, Hash, Nonce, RuntimeCall, RuntimeEvent, SignedPayload,
	UncheckedExtrinsic,
};
use alloc::{format, vec, vec::Vec};
use codec::{Decode, DecodeAll, Encode};
use frame_system::{EventRecord, Phase};
use pallet_connection_chain::{
	linked::{BlockScan, SeenDeposit, SubstrateRuntimeCodec, SubstrateTxParams, VaultTx},
	FailureReason, LinkedAccount, LinkedAmount, LinkedBlock, LinkedTx,
};
use sp_runtime::{
	generic::Preamble, traits::BlakeTwo256, BoundedVec, DispatchError, MultiAddress, MultiSignature,
};

/// Reads and writes a linked chain running this runtime.
pub struct LinkedLedgerCodec;

/// The memo of a deposit: the first remark of the batch that carries the transfer.
fn memo_of(call: &RuntimeCall) -> Vec<u8> {
	let calls = match call {
		RuntimeCall::Utility(pallet_utility::Call::batch_all { calls })
		| RuntimeCall::Utility(pallet_utility::Call::batch { calls }) => calls,
		_ => return Vec::new(),
	};
	calls
		.iter()
		.find_map(|call| match call {
			RuntimeCall::System(frame_system::Call::remark { remark })
			| RuntimeCall::System(frame_system::Call::remark_with_event { remark }) => Some(remark.clone()),
			_ => None,
		})
		.unwrap_or_default()
}

fn failure_reason(error: &DispatchError) -> FailureReason {
	let text = format!("{error:?}");
	FailureReason::Other(BoundedVec::truncate_from(text.into_bytes()))
}

impl SubstrateRuntimeCodec for LinkedLedgerCodec {
	fn scan_block(
		block: LinkedBlock,
		extrinsics: &[Vec<u8>],
		events: &[u8],
		vault: &[u8; 32],
	) -> Option<BlockScan> {
		let vault = AccountId::from(*vault);
		let events: Vec<EventRecord<RuntimeEvent, Hash>> =
			if events.is_empty() { Vec::new() } else { Decode::decode(&mut &events[..]).ok()? };
		let mut scan = BlockScan { block, deposits: Vec::new(), vault_txs: Vec::new() };
		for (index, raw) in extrinsics.iter().enumerate() {
			let index = u32::try_from(index).ok()?;
			let mut deposit: Option<(AccountId, Balance)> = None;
			let mut paid: Option<(AccountId, Balance)> = None;
			let mut fee: Balance = 0;
			let mut outcome = Ok(());
			// `Phase` has no `PartialEq` without `std`.
			let in_this_extrinsic = |record: &&EventRecord<RuntimeEvent, Hash>| matches!(record.phase, Phase::ApplyExtrinsic(i) if i == index);
			for record in events.iter().filter(in_this_extrinsic) {
				match &record.event {
					RuntimeEvent::Balances(pallet_balances::Event::Transfer {
						from,
						to,
						amount,
					}) => {
						if *to == vault && *from != vault {
							let (_, sum) = deposit.get_or_insert((from.clone(), 0));
							*sum = sum.saturating_add(*amount);
						} else if *from == vault && paid.is_none() {
							paid = Some((to.clone(), *amount));
						}
					}
					RuntimeEvent::TransactionPayment(
						pallet_transaction_payment::Event::TransactionFeePaid {
							who,
							actual_fee,
							..
						},
					) if *who == vault => fee = *actual_fee,
					RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
						dispatch_error,
						..
					}) => outcome = Err(failure_reason(dispatch_error)),
					_ => {}
				}
			}
			let xt = UncheckedExtrinsic::decode_all(&mut &raw[..]).ok()?;
			let hash = <BlakeTwo256 as sp_runtime::traits::Hash>::hash(raw);
			let tx = LinkedTx { hash, block };
			if let Some((from, amount)) = deposit {
				scan.deposits.push(SeenDeposit {
					tx,
					from: LinkedAccount::Substrate(from.into()),
					amount,
					memo: memo_of(&xt.function),
				});
			}
			if let Preamble::Signed(MultiAddress::Id(signer), _, extension) = &xt.preamble {
				if *signer == vault {
					scan.vault_txs.push(VaultTx {
						tx,
						nonce: extension.6 .0.into(),
						transfer: paid
							.map(|(to, amount)| (LinkedAccount::Substrate(to.into()), amount)),
						outcome,
						fee,
					});
				}
			}
		}
		Some(scan)
	}

	fn decode_account(raw: &[u8]) -> Option<(LinkedAmount, u64)> {
		let info =
			frame_system::AccountInfo::<Nonce, pallet_balances::AccountData<Balance>>::decode_all(
				&mut &raw[..],
			)
			.ok()?;
		Some((info.data.free, info.nonce.into()))
	}

	fn signed_extrinsic(
		transfer: Option<([u8; 32], LinkedAmount)>,
		params: &SubstrateTxParams,
		signer: [u8; 32],
		sign: &dyn Fn(&[u8]) -> Option<[u8; 64]>,
	) -> Option<Vec<u8>> {
		let call = match transfer {
			Some((to, value)) => {
				RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
					dest: MultiAddress::Id(AccountId::from(to)),
					value,
				})
			}
			None => RuntimeCall::System(frame_system::Call::remark { remark: vec![] }),
		};
		let nonce = Nonce::try_from(params.nonce).ok()?;
		let implicit = (
			(),
			(),
			params.spec_version,
			params.transaction_version,
			params.genesis_hash,
			params.era_birth_hash,
			(),
			(),
			(),
			None,
			(),
		);
		let payload = SignedPayload::from_raw(call, tx_extension(params.era, nonce), implicit);
		let signature = payload.using_encoded(sign)?;
		let (call, extension, _) = payload.deconstruct();
		let signature = MultiSignature::Sr25519(sp_core::sr25519::Signature::from_raw(signature));
		let xt = UncheckedExtrinsic::new_signed(
			call,
			MultiAddress::Id(AccountId::from(signer)),
			signature,
			extension,
		);
		Some(xt.encode())
	}
}

//! How the connection chain's off-chain worker reads and writes a linked Substrate chain that
//! runs this same runtime (the `linked_ledger` preset): its extrinsics, events and accounts are
//! decoded and built with this runtime's own types.
//!
//! - A **deposit** is a `Balances::Transfer` event into the vault in an extrinsic that
//!   succeeded; its memo is the `system.remark` batched with it
//!   (`utility.batch_all([balances.transfer_keep_alive(vault, amount), system.remark(memo)])`).
//!   Several transfers into the vault in one extrinsic count as one deposit of their sum.
//! - The vault is the **multisig account** of the validators' accounts (`pallet-multisig`).
//!   It pays a batch as one call, `utility.force_batch([system.remark(BATCH_TAG ++ nonce),
//!   balances.transfer_keep_alive(to, amount), ...])` (so the vault is never reaped), which
//!   the validators approve with `multisig.as_multi`. The block that opens it (`NewMultisig`)
//!   gives an opening; the one that executes it (`MultisigExecuted`) gives one vault
//!   transaction per payment, its outcome the `ItemCompleted` / `ItemFailed` of its item (the
//!   remark is the first). The vault pays no fee: each validator pays its own.
//! - A chain with one validator cannot have a multisig (`pallet-multisig` needs two
//!   signatories): its vault is that validator's signer account, and a **vault transaction** is
//!   an extrinsic signed by it: its nonce, the transfer it made (its first `Balances::Transfer`
//!   out of the vault), its result and the fee it paid. It pays with
//!   `balances.transfer_keep_alive`, so the account is never reaped (which would reset its
//!   nonce); a nonce is taken without moving anything by an empty `system.remark`.

use crate::{
	tx_extension, AccountId, Balance, BlockNumber, Hash, Nonce, Runtime, RuntimeCall, RuntimeEvent,
	SignedPayload, UncheckedExtrinsic,
};
use alloc::{boxed::Box, format, vec, vec::Vec};
use codec::{Decode, DecodeAll, Encode};
use frame_support::dispatch::GetDispatchInfo;
use frame_system::{EventRecord, Phase};
use pallet_connection_chain::{
	linked::{
		BlockScan, MultisigApproval, PendingMultisig, SeenDeposit, SeenOpening,
		SubstrateRuntimeCodec, SubstrateTxParams, VaultBatchCall, VaultTx,
	},
	FailureReason, LinkedAccount, LinkedAmount, LinkedBlock, LinkedTx, MultisigOpening,
};
use pallet_multisig::Timepoint;
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

/// What the first item of a multisig vault's batch remarks, before the batch's nonce.
pub const BATCH_TAG: &[u8] = b"connection-chain/vault-batch/";

/// The call that pays `batch` from a multisig vault.
fn batch_call(batch: &VaultBatchCall) -> RuntimeCall {
	let tag = [BATCH_TAG, &batch.nonce.to_le_bytes()].concat();
	let mut calls = vec![RuntimeCall::System(frame_system::Call::remark { remark: tag })];
	calls.extend(batch.payments.iter().map(|(to, value)| {
		RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: MultiAddress::Id(AccountId::from(*to)),
			value: *value,
		})
	}));
	RuntimeCall::Utility(pallet_utility::Call::force_batch { calls })
}

/// The batch a call pays, if it is one [`batch_call`] makes.
fn batch_of(call: &RuntimeCall) -> Option<VaultBatchCall> {
	let RuntimeCall::Utility(pallet_utility::Call::force_batch { calls }) = call else {
		return None;
	};
	let (first, transfers) = calls.split_first()?;
	let RuntimeCall::System(frame_system::Call::remark { remark }) = first else { return None };
	let nonce = remark.strip_prefix(BATCH_TAG)?;
	let nonce = u64::from_le_bytes(nonce.try_into().ok()?);
	let payments = transfers
		.iter()
		.map(|call| match call {
			RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
				dest: MultiAddress::Id(to),
				value,
			}) => Some((to.clone().into(), *value)),
			_ => None,
		})
		.collect::<Option<Vec<_>>>()?;
	Some(VaultBatchCall { nonce, payments })
}

/// The batch an `as_multi` extrinsic approves, and the hash of its call.
fn approved_batch(xt: &UncheckedExtrinsic) -> Option<(VaultBatchCall, [u8; 32])> {
	match &xt.function {
		RuntimeCall::Multisig(pallet_multisig::Call::as_multi { call, .. }) => {
			Some((batch_of(call)?, call_hash(call)))
		}
		_ => None,
	}
}

/// The hash `pallet-multisig` knows `call` by.
fn call_hash(call: &RuntimeCall) -> [u8; 32] {
	<BlakeTwo256 as sp_runtime::traits::Hash>::hash(&call.encode()).0
}

/// Signs `call` as `params` and `signer` say, with `sign`.
fn signed(
	call: RuntimeCall,
	params: &SubstrateTxParams,
	signer: [u8; 32],
	sign: &dyn Fn(&[u8]) -> Option<[u8; 64]>,
) -> Option<Vec<u8>> {
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
		let mut scan =
			BlockScan { block, deposits: Vec::new(), vault_txs: Vec::new(), openings: Vec::new() };
		for (index, raw) in extrinsics.iter().enumerate() {
			let index = u32::try_from(index).ok()?;
			let mut deposit: Option<(AccountId, Balance)> = None;
			// A vault account's own extrinsic: what it paid, its fee and its outcome.
			let mut paid: Option<(AccountId, Balance)> = None;
			let mut fee: Balance = 0;
			let mut outcome = Ok(());
			// A multisig vault's batch: opened here, or executed with its items' outcomes.
			let mut opened = false;
			let mut executed: Option<Result<(), DispatchError>> = None;
			let mut items: Vec<Result<(), FailureReason>> = Vec::new();
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
					RuntimeEvent::Multisig(pallet_multisig::Event::NewMultisig {
						multisig,
						..
					}) if *multisig == vault => opened = true,
					RuntimeEvent::Multisig(pallet_multisig::Event::MultisigExecuted {
						multisig,
						result,
						..
					}) if *multisig == vault => executed = Some(*result),
					RuntimeEvent::Utility(pallet_utility::Event::ItemCompleted) => {
						items.push(Ok(()))
					}
					RuntimeEvent::Utility(pallet_utility::Event::ItemFailed { error }) => {
						items.push(Err(failure_reason(error)))
					}
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
			if opened || executed.is_some() {
				if let Some((batch, call_hash)) = approved_batch(&xt) {
					let nonce = batch.nonce;
					if opened {
						let opening = MultisigOpening {
							takes_nonce_only: batch.payments.is_empty(),
							call_hash,
							height: block.number,
							index,
						};
						scan.openings.push(SeenOpening { nonce, opening });
					}
					if let Some(result) = executed {
						scan.vault_txs.extend(executed_batch(tx, &batch, result, &items));
					}
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

	fn multisig_account(signers: &[[u8; 32]], threshold: u16) -> [u8; 32] {
		let mut sorted: Vec<AccountId> = signers.iter().copied().map(AccountId::from).collect();
		sorted.sort();
		pallet_multisig::Pallet::<Runtime>::multi_account_id(&sorted, threshold).into()
	}

	fn batch_call_hash(batch: &VaultBatchCall) -> [u8; 32] {
		call_hash(&batch_call(batch))
	}

	fn pending_multisig_key(vault: &[u8; 32], call_hash: &[u8; 32]) -> Vec<u8> {
		pallet_multisig::Multisigs::<Runtime>::hashed_key_for(AccountId::from(*vault), call_hash)
	}

	fn decode_pending_multisig(raw: &[u8]) -> Option<PendingMultisig> {
		type Pending = pallet_multisig::Multisig<
			BlockNumber,
			Balance,
			AccountId,
			<Runtime as pallet_multisig::Config>::MaxSignatories,
		>;
		let pending = Pending::decode_all(&mut &raw[..]).ok()?;
		Some(PendingMultisig {
			timepoint: (pending.when.height.into(), pending.when.index),
			approvals: pending.approvals.into_iter().map(Into::into).collect(),
		})
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
		signed(call, params, signer, sign)
	}

	fn multisig_extrinsic(
		approval: &MultisigApproval,
		params: &SubstrateTxParams,
		signer: [u8; 32],
		sign: &dyn Fn(&[u8]) -> Option<[u8; 64]>,
	) -> Option<Vec<u8>> {
		let call = batch_call(&approval.call);
		let max_weight = call.get_dispatch_info().call_weight;
		let maybe_timepoint = match approval.timepoint {
			Some((height, index)) => {
				Some(Timepoint { height: BlockNumber::try_from(height).ok()?, index })
			}
			None => None,
		};
		let call = RuntimeCall::Multisig(pallet_multisig::Call::as_multi {
			threshold: approval.threshold,
			other_signatories: approval
				.other_signatories
				.iter()
				.copied()
				.map(AccountId::from)
				.collect(),
			maybe_timepoint,
			call: Box::new(call),
			max_weight,
		});
		signed(call, params, signer, sign)
	}
}

/// The vault transactions of an executed batch: one per payment, its outcome its item's (the
/// items after the remark, in order), or the call's error for all if the call itself failed;
/// the call that pays nothing gives one that only takes the nonce.
fn executed_batch(
	tx: LinkedTx,
	batch: &VaultBatchCall,
	result: Result<(), DispatchError>,
	items: &[Result<(), FailureReason>],
) -> Vec<VaultTx> {
	let vault_tx =
		|transfer, outcome| VaultTx { tx, nonce: batch.nonce, transfer, outcome, fee: 0 };
	if batch.payments.is_empty() {
		return vec![vault_tx(None, result.map_err(|e| failure_reason(&e)))];
	}
	batch
		.payments
		.iter()
		.enumerate()
		.map(|(k, (to, amount))| {
			let outcome = match (&result, items.get(k.saturating_add(1))) {
				(Err(error), _) => Err(failure_reason(error)),
				(Ok(()), Some(item)) => item.clone(),
				(Ok(()), None) => Err(FailureReason::Other(BoundedVec::truncate_from(
					b"no outcome of the batch item".to_vec(),
				))),
			};
			vault_tx(Some((LinkedAccount::Substrate(*to), *amount)), outcome)
		})
		.collect()
}

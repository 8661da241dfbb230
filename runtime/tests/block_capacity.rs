//! How many transfer requests and reported observations fit in one block of this runtime, and
//! which limit binds: the block's weight (time and proof size) or its length. A figure printer
//! run by `scripts/bench.sh` (`--nocapture`); it fails only if a block could not hold even one of
//! each.
//!
//! A report carries up to `MaxObservationsPerReport` observations and is charged in advance as
//! if each took the heaviest path; after dispatch it is charged for the kinds it carried. A block
//! fills by the latter, so the observations per block are counted from it, for full reports of
//! one kind.

use codec::Encode;
use connection_chain_runtime::{tx_extension, AccountId, Runtime, RuntimeCall, UncheckedExtrinsic};
use frame_support::{
	dispatch::{DispatchClass, GetDispatchInfo},
	traits::Get,
	weights::Weight,
};
use frame_system::offchain::CreateAuthorizedTransaction;
use pallet_connection_chain::{
	weights::WeightInfo, DepositReference, LinkedAccount, LinkedBlock, LinkedTx, Observation,
};
use sp_core::{sr25519, H256};
use sp_runtime::{generic::Era, MultiAddress, MultiSignature};

/// How many copies of an extrinsic fit in a block, by each limit, and the smallest.
fn fits(name: &str, xt: &UncheckedExtrinsic) -> u64 {
	let weights = <Runtime as frame_system::Config>::BlockWeights::get();
	let normal = weights.get(DispatchClass::Normal);
	let length = <Runtime as frame_system::Config>::BlockLength::get();
	let max_length = u64::from(*length.max.get(DispatchClass::Normal));
	let max_total = normal.max_total.expect("normal transactions have a limit");
	let info = xt.get_dispatch_info();
	// What CheckWeight counts for each transaction: its weight and the base extrinsic weight.
	let each = info.total_weight().saturating_add(normal.base_extrinsic);
	let bytes = xt.encoded_size() as u64;
	let by_time = max_total.ref_time() / each.ref_time().max(1);
	let by_proof = max_total.proof_size() / each.proof_size().max(1);
	let by_length = max_length / bytes;
	let fit = by_time.min(by_proof).min(by_length);
	let binds = if fit == by_time {
		"time"
	} else if fit == by_proof {
		"proof size"
	} else {
		"length"
	};
	println!(
		"{name}: {} ps, {} B proof, {bytes} B → {by_time} by time, {by_proof} by proof size, \
		 {by_length} by length: {fit} per block ({binds} binds)",
		each.ref_time(),
		each.proof_size(),
	);
	fit
}

/// What an extrinsic is charged once its call's weight is `dispatched` (the extensions and the
/// base extrinsic weight as in advance), per item when it carries `items`, and how many items
/// fit in a block by time that way.
fn after_dispatch(name: &str, xt: &UncheckedExtrinsic, dispatched: Weight, items: u64) -> u64 {
	let weights = <Runtime as frame_system::Config>::BlockWeights::get();
	let normal = weights.get(DispatchClass::Normal);
	let charged = xt
		.get_dispatch_info()
		.extension_weight
		.saturating_add(dispatched)
		.saturating_add(normal.base_extrinsic);
	let fit = normal.max_total.expect("normal transactions have a limit").ref_time()
		/ charged.ref_time()
		* items;
	println!(
		"{name} after dispatch: {} ps, {} ps per item → {fit} per block by time",
		charged.ref_time(),
		charged.ref_time() / items,
	);
	fit
}

/// The `index`-th observation of a kind: `deposits`, `new transfers` (deposits opening a
/// transfer), `inclusions`, or `outcomes` and `settlements` (both final outcomes).
fn observation(kind: &str, index: u32) -> Observation<AccountId> {
	let hash = H256::from_low_u64_be(index.into());
	let tx = LinkedTx { hash, block: LinkedBlock { number: 1, hash } };
	match kind {
		"deposits" => Observation::Deposit {
			chain: 0,
			tx,
			from: LinkedAccount::Substrate([0x11; 32]),
			amount: 100,
			reference: DepositReference::Transfer(index.into()),
		},
		"new transfers" => Observation::Deposit {
			chain: 0,
			tx,
			from: LinkedAccount::Substrate([0x11; 32]),
			amount: 100,
			reference: DepositReference::NewTransfer {
				rule: 0,
				recipient: LinkedAccount::Evm([0x22; 20]),
				min_received: 0,
			},
		},
		"inclusions" => Observation::OutboundIncluded { instruction: index.into(), tx },
		_ => Observation::OutboundFinal { instruction: index.into(), tx, fee: 1 },
	}
}

#[test]
fn requests_and_reports_per_block() {
	sp_io::TestExternalities::default().execute_with(|| {
		let weights = <Runtime as frame_system::Config>::BlockWeights::get();
		let normal = weights.get(DispatchClass::Normal);
		println!(
			"normal-class limits: {} ps, {} B proof; {} B length",
			normal.max_total.unwrap().ref_time(),
			normal.max_total.unwrap().proof_size(),
			<Runtime as frame_system::Config>::BlockLength::get().max.get(DispatchClass::Normal),
		);

		let requester = AccountId::from([0x11; 32]);
		let request =
			RuntimeCall::ConnectionChain(pallet_connection_chain::Call::request_transfer {
				rule: 0,
				amount_in: 100,
				sender: vec![0x11; 32],
				recipient: vec![0x22; 20],
				min_received: 0,
				client_reference: vec![0x33; 32].try_into().unwrap(),
			});
		let signed = UncheckedExtrinsic::new_signed(
			request,
			MultiAddress::Id(requester),
			MultiSignature::Sr25519(sr25519::Signature::from_raw([0; 64])),
			tx_extension(Era::mortal(64, 0), 0),
		);
		let requests = fits("requestTransfer (signed)", &signed);
		type Weights = <Runtime as pallet_connection_chain::Config>::WeightInfo;
		let requests_after = after_dispatch(
			"requestTransfer under a rule without campaigns",
			&signed,
			Weights::request_transfer(0),
			1,
		);

		let most = <Runtime as pallet_connection_chain::Config>::MaxObservationsPerReport::get();
		let batch = <Runtime as pallet_connection_chain::Config>::MaxSettlementBatch::get();
		// Each kind's dispatched weight and the items it is counted in: observations, or for
		// final settlements of full batches, the transfers they complete.
		let kinds = [
			("deposits", Weights::report_deposits(most), most),
			// Under a rule without campaigns.
			("new transfers", Weights::report_new_transfers(most), most),
			("inclusions", Weights::report_inclusions(most), most),
			("outcomes", Weights::report_outcomes(most), most),
			(
				"settlements",
				Weights::report_outcomes(most)
					.saturating_add(Weights::settle_batch(batch).saturating_mul(most.into())),
				most.saturating_mul(batch),
			),
		];
		for (name, dispatched, items) in kinds {
			let observations: Vec<_> = (0..most).map(|index| observation(name, index)).collect();
			let call = pallet_connection_chain::Call::<Runtime>::report {
				observations: observations.try_into().expect("the most per report"),
				authority: 0,
				signature: sp_core::sr25519::Signature::from_raw([0; 64]).into(),
			};
			let report =
				<Runtime as CreateAuthorizedTransaction<RuntimeCall>>::create_authorized_transaction(
					RuntimeCall::ConnectionChain(call),
				);
			let reports =
				fits(&format!("report of {most} {name} (authorized), in advance"), &report);
			let observed = after_dispatch(
				&format!("report of {most} {name}"),
				&report,
				dispatched,
				items.into(),
			);
			assert!(reports > 0 && observed > 0);
		}
		assert!(requests > 0 && requests_after > 0);
	});
}

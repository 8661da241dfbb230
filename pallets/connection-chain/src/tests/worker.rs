//! The off-chain worker against a mocked EVM JSON-RPC endpoint: every request it makes is
//! expected byte for byte, and what it puts in the transaction pool is decoded and checked.

use super::*;
use crate::{
	crypto::VAULT_KEY_TYPE,
	offchain::{
		endpoint_key,
		evm::{address_of, LegacyTransaction, TAKER_PRICE_FACTOR, TRANSFER_GAS},
		json_rpc::{batch_body, hex, hex_param, request_body},
		observations_from_scan, BlockScan, Reports, VaultTx,
	},
	Chains,
};
use codec::Decode;
use sp_core::{
	offchain::{
		testing::{PendingRequest, TestOffchainExt, TestTransactionPoolExt},
		OffchainDbExt, OffchainWorkerExt, StorageKind, TransactionPoolExt,
	},
	H256,
};
use sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt};
use sp_runtime::testing::UintAuthorityId;
use std::sync::Arc;

const URL: &str = "http://evm.test";
const VAULT_SECRET: [u8; 32] = [0x5e; 32];
const CHAIN_ID: u64 = 31337;
/// Low enough that the fee of a vault transaction fits the mock operator's liquidity.
const GAS_PRICE: u128 = 2;
/// What one vault transaction costs the vault.
const VAULT_TX_FEE: u128 = TRANSFER_GAS as u128 * GAS_PRICE;
/// A user on the EVM chain who sends into the vault without naming a transfer.
const STRANGER_EVM: [u8; 20] = [0x77; 20];

struct World {
	ext: sp_io::TestExternalities,
	http: Arc<parking_lot::RwLock<sp_core::offchain::testing::OffchainState>>,
	pool: Arc<parking_lot::RwLock<sp_core::offchain::testing::PoolState>>,
	vault: [u8; 20],
	vault_key: sp_core::ecdsa::Public,
}

/// The mock chain, with authority 1 as this node's key, the EVM vault key in the keystore
/// (the EVM chain's vault set to its address) and the EVM endpoint configured.
fn world() -> World {
	let mut ext = new_test_ext();
	let (offchain, http) = TestOffchainExt::new();
	let (pool_ext, pool) = TestTransactionPoolExt::new();
	let keystore = MemoryKeystore::new();
	let seed = format!("0x{}", hex(&VAULT_SECRET).trim_start_matches("0x"));
	let vault_key = keystore.ecdsa_generate_new(VAULT_KEY_TYPE, Some(&seed)).unwrap();
	let vault = address_of(&vault_key).unwrap();
	ext.register_extension(OffchainWorkerExt::new(offchain.clone()));
	ext.register_extension(OffchainDbExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool_ext));
	ext.register_extension(KeystoreExt::new(keystore));
	UintAuthorityId::set_all_keys(vec![UintAuthorityId(1)]);
	ext.execute_with(|| {
		Chains::<Test>::mutate(EVM, |chain| {
			chain.as_mut().unwrap().vault = LinkedAccount::Evm(vault)
		});
		sp_io::offchain::local_storage_set(
			StorageKind::PERSISTENT,
			&endpoint_key(EVM),
			URL.as_bytes(),
		);
	});
	World { ext, http, pool, vault, vault_key }
}

impl World {
	/// The next request must be `request`; the endpoint answers `response`.
	fn expect_request(&self, request: String, response: &str) {
		self.http.write().expect_request(PendingRequest {
			method: "POST".into(),
			uri: URL.into(),
			headers: vec![("Content-Type".into(), "application/json".into())],
			body: request.into_bytes(),
			response: Some(response.as_bytes().to_vec()),
			sent: true,
			..Default::default()
		});
	}

	/// The next request must be `method` with `params`; the endpoint answers `body`.
	fn expect_raw(&self, method: &str, params: &str, body: &str) {
		self.expect_request(request_body(method, params), body);
	}

	/// The next request must be a batch of `method` calls, one per parameter array; the
	/// endpoint answers each call with its `answers` member (`"result":…` or `"error":{…}`).
	fn expect_batch(&self, method: &str, params: &[String], answers: &[&str]) {
		let responses: Vec<String> = answers
			.iter()
			.enumerate()
			.map(|(id, answer)| format!(r#"{{"jsonrpc":"2.0","id":{id},{answer}}}"#))
			.collect();
		self.expect_request(batch_body(method, params), &format!("[{}]", responses.join(",")));
	}

	/// The next request must be `method` with `params`; the endpoint returns `result`.
	fn expect(&self, method: &str, params: &str, result: &str) {
		self.expect_raw(
			method,
			params,
			&format!(r#"{{"jsonrpc":"2.0","id":1,"result":{result}}}"#),
		);
	}

	/// The next request must be `method` with `params`, and the endpoint is down: what answers
	/// is the gateway in front of it.
	fn expect_down(&self, method: &str, params: &str) {
		self.expect_raw(method, params, "<html>502 Bad Gateway</html>");
	}

	/// The final head lookup every run starts with: newest block `newest`, 2 confirmations.
	fn expect_head(&self, newest: u64) {
		self.expect("eth_blockNumber", "[]", &format!("\"0x{newest:x}\""));
		let fin = newest - 2;
		self.expect(
			"eth_getBlockByNumber",
			&format!("[\"0x{fin:x}\",false]"),
			&format!(r#"{{"hash":"{}"}}"#, block_hash(fin)),
		);
	}

	fn expect_vault_nonce(&self, newest: u64, nonce: u64) {
		self.expect("eth_blockNumber", "[]", &format!("\"0x{newest:x}\""));
		self.expect(
			"eth_getTransactionCount",
			&format!("[\"{}\",\"0x{newest:x}\"]", hex(&self.vault)),
			&format!("\"0x{nonce:x}\""),
		);
	}

	/// The chain id and gas price the worker reads to sign a vault transaction.
	fn expect_signing(&self) {
		self.expect("eth_chainId", "[]", &format!("\"0x{CHAIN_ID:x}\""));
		self.expect("eth_gasPrice", "[]", &format!("\"0x{GAS_PRICE:x}\""));
	}

	fn expect_send(&self, raw: &[u8]) {
		self.expect("eth_sendRawTransaction", &hex_param(raw), "\"0x01\"");
	}

	/// The watcher reads the final block `number` holding `txs`, and their receipts if one of
	/// them touches the vault.
	fn expect_block(&self, number: u64, txs: &[MinedTx]) {
		let transactions: Vec<String> = txs
			.iter()
			.map(|tx| {
				format!(
					r#"{{"hash":"{}","from":"{}","to":"{}","value":"0x{:x}","nonce":"0x{:x}","input":"{}"}}"#,
					hex(&tx.hash),
					hex(&tx.from),
					hex(&tx.to),
					tx.value,
					tx.nonce,
					hex(&tx.input)
				)
			})
			.collect();
		self.expect(
			"eth_getBlockByNumber",
			&format!("[\"0x{number:x}\",true]"),
			&format!(
				r#"{{"number":"0x{number:x}","hash":"{}","transactions":[{}]}}"#,
				block_hash(number),
				transactions.join(",")
			),
		);
		if txs.iter().any(|tx| tx.from == self.vault || tx.to == self.vault) {
			let receipts: Vec<String> = txs
				.iter()
				.map(|tx| {
					format!(
						r#"{{"transactionHash":"{}","status":"0x{:x}","gasUsed":"0x{TRANSFER_GAS:x}","effectiveGasPrice":"0x{GAS_PRICE:x}"}}"#,
						hex(&tx.hash),
						u8::from(tx.succeeded)
					)
				})
				.collect();
			self.expect(
				"eth_getBlockReceipts",
				&format!("[\"0x{number:x}\"]"),
				&format!("[{}]", receipts.join(",")),
			);
		}
	}

	/// The receipt lookup of a vault transaction the worker sent: mined in block `number`.
	fn expect_receipt(&self, tx_hash: [u8; 32], number: u64) {
		self.expect("eth_getTransactionReceipt", &hex_param(&tx_hash), &receipt_in(number));
	}

	/// The settling of the first run after the payout (vault nonce 0) was sent: nothing new is
	/// final (newest block 12), the nonce is taken, and the payout's receipt says it was mined
	/// in block `mined_in`.
	fn expect_inclusion_lookup(&self, raw: &[u8], mined_in: u64) {
		self.expect_head(12);
		self.expect_vault_nonce(12, 1);
		self.expect_receipt(sp_io::hashing::keccak_256(raw), mined_in);
	}

	/// What the worker keeps in persistent off-chain storage under `connection-chain/{name}`.
	fn stored(&mut self, name: &str) -> Option<Vec<u8>> {
		let key = format!("connection-chain/{name}");
		self.ext.execute_with(|| {
			sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, key.as_bytes())
		})
	}

	/// Runs the worker at connection-chain block `block`, the chain brought to it first.
	fn run(&mut self, block: u64) {
		self.ext.execute_with(|| {
			run_to_block(block);
			ConnectionChain::run_offchain_worker(block)
		});
	}

	fn set_cursor(&mut self, next_block: u64) {
		self.ext.execute_with(|| {
			sp_io::offchain::local_storage_set(
				StorageKind::PERSISTENT,
				b"connection-chain/cursor/1",
				&codec::Encode::encode(&next_block),
			)
		});
	}

	/// A Substrate → EVM transfer of 1,000 whose deposit is held: its id, its payout instruction
	/// (vault nonce 0) and the raw payout the vault must send for it (1,960 to the recipient).
	fn payout_due(&mut self) -> (TransferId, InstructionId, Vec<u8>) {
		let vault_key = self.vault_key;
		self.ext.execute_with(|| {
			with_operator();
			let id = request(SUB_TO_EVM, 1_000, "a");
			deposit(id, 1_000, 1);
			let payout = instruction_of(id, StepKind::Payout);
			assert_eq!(instruction(payout).nonce, 0);
			(id, payout, vault_tx(&vault_key, 0, RECIPIENT_EVM, 1_960))
		})
	}

	/// The first run after the payout became due, at block 2: the linked chain's newest block
	/// is 12 (nothing new to read), the vault's nonce 0 is free, and the payout is signed and
	/// sent (`endpoint_up`), or the endpoint fails as it is sent.
	fn first_payout_run(&mut self, raw: &[u8], endpoint_up: bool) {
		self.set_cursor(11);
		self.expect_head(12);
		self.expect_vault_nonce(12, 0);
		self.expect_signing();
		if endpoint_up {
			self.expect_send(raw);
		} else {
			self.expect_down("eth_sendRawTransaction", &hex_param(raw));
		}
		self.run(2);
	}

	/// The observations reported in the pool, in the order they were submitted.
	fn reports(&self) -> Vec<Observation<AccountId>> {
		self.reports_one_by_one().into_iter().flatten().collect()
	}

	/// The observations of each report in the pool, a list per report, in the order submitted.
	fn reports_one_by_one(&self) -> Vec<Vec<Observation<AccountId>>> {
		self.pool
			.read()
			.transactions
			.iter()
			.map(|raw| match Extrinsic::decode(&mut &raw[..]).unwrap().function {
				RuntimeCall::ConnectionChain(crate::Call::report {
					observations,
					authority,
					..
				}) => {
					assert_eq!(authority, 0, "reported as this node's authority");
					observations.into_inner()
				}
				other => panic!("unexpected call in the pool: {other:?}"),
			})
			.collect()
	}

	/// Puts the pool's reports in a block, as a block author would: each one the pool still
	/// admits is dispatched with the authorized origin. Returns the observations that still
	/// awaited this authority's vote when dispatched.
	fn include_reports(&mut self) -> Vec<Observation<AccountId>> {
		let raws = core::mem::take(&mut self.pool.write().transactions);
		self.ext.execute_with(|| {
			let mut counted = Vec::new();
			for raw in &raws {
				let RuntimeCall::ConnectionChain(call) =
					Extrinsic::decode(&mut &raw[..]).unwrap().function
				else {
					panic!("not a report")
				};
				// A report the chain no longer needs is dropped by the pool.
				if authorize(&call).is_err() {
					continue;
				}
				let crate::Call::report { observations, authority, .. } = &call else {
					panic!("not a report")
				};
				counted.extend(
					observations
						.iter()
						.filter(|observation| {
							let hash = crate::attestation::observation_hash(observation);
							ConnectionChain::awaits_vote(hash, *authority, observation)
						})
						.cloned(),
				);
				dispatch_report(call);
			}
			counted
		})
	}
}

/// The receipt fields the worker reads of a transaction mined in block `number`.
fn receipt_in(number: u64) -> String {
	format!(r#"{{"blockNumber":"0x{number:x}","blockHash":"{}"}}"#, block_hash(number))
}

/// The parameter array of each raw transaction's `eth_sendRawTransaction`, or of each hash's
/// receipt lookup.
fn hex_params(items: &[&[u8]]) -> Vec<String> {
	items.iter().map(|item| hex_param(item)).collect()
}

/// A transaction of a mocked EVM block, with what its receipt says.
struct MinedTx {
	hash: [u8; 32],
	from: [u8; 20],
	to: [u8; 20],
	value: u128,
	nonce: u64,
	input: Vec<u8>,
	succeeded: bool,
}

impl MinedTx {
	/// A user's transfer of `value` into the vault with `memo` as its data.
	fn deposit(world: &World, from: [u8; 20], value: u128, memo: Vec<u8>, seed: u8) -> Self {
		let hash = [seed; 32];
		MinedTx { hash, from, to: world.vault, value, nonce: 0, input: memo, succeeded: true }
	}

	/// The vault's own transaction `raw`, as the worker signed it.
	fn vault(world: &World, raw: &[u8], nonce: u64, to: [u8; 20], value: u128) -> Self {
		let hash = sp_io::hashing::keccak_256(raw);
		MinedTx { hash, from: world.vault, to, value, nonce, input: vec![], succeeded: true }
	}
}

fn block_hash(number: u64) -> String {
	hex(&[number as u8; 32])
}

fn mined(number: u64, hash: [u8; 32]) -> LinkedTx {
	LinkedTx { hash: H256(hash), block: LinkedBlock { number, hash: H256([number as u8; 32]) } }
}

/// The raw transaction the vault must send for `nonce`: `value` to `to`.
fn vault_tx(key: &sp_core::ecdsa::Public, nonce: u64, to: [u8; 20], value: u128) -> Vec<u8> {
	signed_tx(key, nonce, to, value, GAS_PRICE)
}

/// The raw nonce taker the vault must send for `nonce`: nothing to itself, at a higher price.
fn taker_tx(key: &sp_core::ecdsa::Public, nonce: u64) -> Vec<u8> {
	let vault = address_of(key).unwrap();
	signed_tx(key, nonce, vault, 0, GAS_PRICE * TAKER_PRICE_FACTOR)
}

fn signed_tx(
	key: &sp_core::ecdsa::Public,
	nonce: u64,
	to: [u8; 20],
	value: u128,
	gas_price: u128,
) -> Vec<u8> {
	let tx = LegacyTransaction {
		nonce,
		gas_price,
		gas_limit: TRANSFER_GAS,
		to,
		value,
		data: vec![],
		chain_id: CHAIN_ID,
	};
	let signature =
		sp_io::crypto::ecdsa_sign_prehashed(VAULT_KEY_TYPE, key, &tx.signing_hash()).unwrap();
	// Signed by the vault: the signature recovers to its address.
	let signer = sp_io::crypto::secp256k1_ecdsa_recover(&signature.0, &tx.signing_hash()).ok();
	let signer: Option<[u8; 20]> =
		signer.map(|public| sp_io::hashing::keccak_256(&public)[12..].try_into().unwrap());
	assert_eq!(signer, address_of(key));
	tx.signed(&signature.0).unwrap()
}

#[test]
fn a_payout_is_signed_once_with_its_nonce_and_only_ever_resent_as_the_same_bytes() {
	let mut world = world();
	let (_, payout, raw) = world.payout_due();
	// First run: signed with nonce 0 and sent.
	world.first_payout_run(&raw, true);
	// Nothing more to read from here on: the cursor is past the head.
	world.set_cursor(100);

	// Next runs, linked chain at the same height: nothing signed or sent again.
	for block in 3..5 {
		world.expect_head(12);
		world.expect_vault_nonce(12, 0);
		world.run(block);
	}

	// Eight linked blocks later and still not mined: the very same bytes go out again.
	world.expect_head(20);
	world.expect_vault_nonce(20, 0);
	world.expect_send(&raw);
	world.run(5);

	// Once the nonce is taken, the worker leaves it to the watcher.
	world.expect_head(30);
	world.expect_vault_nonce(30, 1);
	world.expect(
		"eth_getTransactionReceipt",
		&hex_param(&sp_io::hashing::keccak_256(&raw)),
		"null",
	);
	world.run(6);
	assert!(world.reports().is_empty());
	// Its one instruction is still open: the outcome comes from the watcher.
	world.ext.execute_with(|| assert_eq!(instruction(payout).status, OutboundStatus::Pending));
}

#[test]
fn vault_transactions_go_out_in_one_batch_each_answer_counts_alone_and_a_node_without_batches_gets_them_one_by_one(
) {
	let mut world = world();
	let vault_key = world.vault_key;
	let (payouts, raws): (Vec<InstructionId>, Vec<Vec<u8>>) = world.ext.execute_with(|| {
		with_operator();
		[("a", 0, 1), ("b", 1, 2), ("c", 2, 3)]
			.into_iter()
			.map(|(reference, nonce, deposit_tx)| {
				let id = request(SUB_TO_EVM, 1_000, reference);
				deposit(id, 1_000, deposit_tx);
				let payout = instruction_of(id, StepKind::Payout);
				assert_eq!(instruction(payout).nonce, nonce);
				(payout, vault_tx(&vault_key, nonce, RECIPIENT_EVM, 1_960))
			})
			.unzip()
	});
	let raws: Vec<&[u8]> = raws.iter().map(Vec::as_slice).collect();
	world.set_cursor(100);

	// One request carries the three payouts. The node took the first, knew the second
	// already, and the vault cannot pay the third one's fee.
	world.expect_head(12);
	world.expect_vault_nonce(12, 0);
	world.expect_signing();
	world.expect_batch(
		"eth_sendRawTransaction",
		&hex_params(&raws),
		&[
			r#""result":"0x01""#,
			r#""error":{"code":-32000,"message":"already known"}"#,
			r#""error":{"code":-32000,"message":"insufficient funds for gas * price + value"}"#,
		],
	);
	world.run(2);
	assert_eq!(world.reports(), vec![Observation::VaultCannotPayFees { instruction: payouts[2] }]);

	// At the same height, only the one the node did not take goes out again (alone: a plain
	// call).
	world.expect_head(12);
	world.expect_vault_nonce(12, 0);
	world.expect_send(raws[2]);
	world.run(3);

	// Eight linked blocks later none is mined: all three go again, the very same bytes. This
	// node refuses batches, so they go one by one.
	world.expect_head(20);
	world.expect_vault_nonce(20, 0);
	world.expect_request(
		batch_body("eth_sendRawTransaction", &hex_params(&raws)),
		r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32005,"message":"Batched requests are not supported by this server"}}"#,
	);
	for raw in &raws {
		world.expect_send(raw);
	}
	world.run(4);
	world.ext.execute_with(|| {
		for payout in &payouts {
			assert_eq!(instruction(*payout).status, OutboundStatus::Pending);
		}
	});
}

#[test]
fn vault_transactions_in_a_final_block_become_final_failed_or_dead_reports() {
	new_test_ext().execute_with(|| {
		with_operator();
		let id = request(SUB_TO_EVM, 1_000, "a");
		deposit(id, 1_000, 1);
		let payout = instruction_of(id, StepKind::Payout);
		let open = ConnectionChain::open_instructions(EVM);
		let block = LinkedBlock { number: 9, hash: H256::repeat_byte(9) };
		let tx = LinkedTx { hash: H256::repeat_byte(1), block };
		let scan = |transfer, outcome| BlockScan {
			block,
			deposits: vec![],
			vault_txs: vec![VaultTx { tx, nonce: 0, transfer, outcome, fee: 21 }],
		};
		let pays = Some((LinkedAccount::Evm(RECIPIENT_EVM), 1_960));
		assert_eq!(
			observations_from_scan(EVM, &scan(pays, Ok(())), &open),
			vec![Observation::OutboundFinal { instruction: payout, tx, fee: 21 }]
		);
		assert_eq!(
			observations_from_scan(EVM, &scan(pays, Err(FailureReason::Reverted)), &open),
			vec![Observation::OutboundFailed {
				instruction: payout,
				tx,
				reason: FailureReason::Reverted,
				fee: 21
			}]
		);
		// The nonce taker (nothing to the vault itself) proves the payout dead, and the
		// transfer is refunded.
		let taker = Some((LinkedAccount::Evm(EVM_VAULT), 0));
		let dead = observations_from_scan(EVM, &scan(taker, Ok(())), &open);
		assert_eq!(
			dead,
			vec![Observation::OutboundDead {
				instruction: payout,
				proof: DeadProof::NonceConsumed { nonce: 0, by_tx: tx.hash },
				fee: 21
			}]
		);
		report_all(dead[0].clone());
		assert_eq!(transfer(id).state, TransferState::Refunding);
		// A vault transaction with a nonce no open instruction has is nobody's report.
		let mut other = scan(pays, Ok(()));
		other.vault_txs[0].nonce = 7;
		assert!(observations_from_scan(EVM, &other, &ConnectionChain::open_instructions(EVM))
			.is_empty());
		check_invariants();
	});
}

/// The memo that names transfer `id`.
fn memo_of(id: TransferId) -> Vec<u8> {
	crate::memo::deposit_memo(&DepositReference::<AccountId>::Transfer(id))
}

#[test]
fn a_deposit_in_a_final_block_is_reported_once_and_a_lost_report_is_sent_again() {
	let mut world = world();
	let id = world.ext.execute_with(|| {
		with_operator();
		request(EVM_TO_SUB, 1_000, "a")
	});
	world.set_cursor(10);
	world.expect_head(12);
	world.expect_block(10, &[MinedTx::deposit(&world, SENDER_EVM, 1_000, memo_of(id), 0xD1)]);
	world.run(2);
	let seen = Observation::Deposit {
		chain: EVM,
		tx: mined(10, [0xD1; 32]),
		from: LinkedAccount::Evm(SENDER_EVM),
		amount: 1_000,
		reference: DepositReference::Transfer(id),
	};
	assert_eq!(world.reports(), vec![seen.clone()]);

	// The report never makes it into a block (the pool dropped it). The next runs read no
	// block twice, and after REPORT_RETRY_AFTER blocks the report goes out again.
	world.pool.write().transactions.clear();
	for block in 3..2 + crate::offchain::REPORT_RETRY_AFTER {
		world.expect_head(12);
		world.run(block);
		assert!(world.reports().is_empty(), "nothing new at block {block}");
	}
	world.expect_head(12);
	world.run(2 + crate::offchain::REPORT_RETRY_AFTER);
	assert_eq!(world.include_reports(), vec![seen]);
	world.ext.execute_with(|| {
		let record = transfer(id);
		assert_eq!((record.state, record.hold), (TransferState::PayingOut, HoldState::Held));
		let step = record.trail.iter().find(|step| step.kind == StepKind::Deposit).unwrap();
		assert_eq!(step.tx_hash, Some(H256([0xD1; 32])));
		assert_eq!(step.block, Some(mined(10, [0xD1; 32]).block));
		assert_eq!(ledger(EVM).held, 1_000);
		check_invariants();
	});
}

#[test]
fn each_final_block_read_is_reported_before_the_next_one_is_read() {
	let mut world = world();
	let ids = world.ext.execute_with(|| {
		with_operator();
		[request(EVM_TO_SUB, 1_000, "a"), request(EVM_TO_SUB, 1_000, "b")]
	});
	// One pass reads blocks 10 and 11, a deposit in each.
	world.set_cursor(10);
	world.expect_head(13);
	world.expect_block(10, &[MinedTx::deposit(&world, SENDER_EVM, 1_000, memo_of(ids[0]), 0xD1)]);
	world.expect_block(11, &[MinedTx::deposit(&world, SENDER_EVM, 1_000, memo_of(ids[1]), 0xD2)]);
	world.run(2);
	let seen = |id, number, seed| Observation::Deposit {
		chain: EVM,
		tx: mined(number, [seed; 32]),
		from: LinkedAccount::Evm(SENDER_EVM),
		amount: 1_000,
		reference: DepositReference::Transfer(id),
	};
	// A report per block: the first went to the pool before the second block was read.
	assert_eq!(
		world.reports_one_by_one(),
		vec![vec![seen(ids[0], 10, 0xD1)], vec![seen(ids[1], 11, 0xD2)]]
	);
}

#[test]
fn overlapping_runs_keep_each_others_reports_for_sending_again() {
	let mut world = world();
	let (first, second) = world.ext.execute_with(|| {
		with_operator();
		let deposit_for = |id, hash| Observation::Deposit {
			chain: EVM,
			tx: mined(10, [hash; 32]),
			from: LinkedAccount::Evm(SENDER_EVM),
			amount: 1_000,
			reference: DepositReference::Transfer(id),
		};
		let first = deposit_for(request(EVM_TO_SUB, 1_000, "a"), 0xD1);
		let second = deposit_for(request(EVM_TO_SUB, 1_000, "b"), 0xD2);
		// Two runs at once: both read the stored reports before either writes them back, each
		// reports one deposit, and the later one saves last.
		let mut earlier = Reports::<Test>::load(2);
		let mut later = Reports::<Test>::load(2);
		earlier.send(first.clone());
		earlier.flush();
		earlier.save();
		later.send(second.clone());
		later.flush();
		later.save();
		(first, second)
	});
	assert_eq!(world.reports(), vec![first.clone(), second.clone()]);

	// Both reports are lost from the pool: both go out again once due.
	world.pool.write().transactions.clear();
	world.ext.execute_with(|| {
		let mut retry = Reports::<Test>::load(2 + crate::offchain::REPORT_RETRY_AFTER);
		retry.resend_stale();
		retry.save();
	});
	let mut resent = world.reports();
	resent.sort_by_key(|observation| match observation {
		Observation::Deposit { tx, .. } => tx.hash,
		other => panic!("not a deposit: {other:?}"),
	});
	assert_eq!(resent, vec![first, second]);
}

#[test]
fn deposits_of_a_wrong_amount_or_naming_no_transfer_are_sent_back_by_the_worker() {
	let mut world = world();
	let vault_key = world.vault_key;
	let id = world.ext.execute_with(|| {
		with_operator();
		request(EVM_TO_SUB, 1_000, "a")
	});
	world.set_cursor(10);
	world.expect_head(12);
	world.expect_block(
		10,
		&[
			MinedTx::deposit(&world, SENDER_EVM, 999, memo_of(id), 0xD1),
			MinedTx::deposit(&world, STRANGER_EVM, 500, vec![], 0xD2),
		],
	);
	world.run(2);
	let reported = world.include_reports();
	assert_eq!(reported.len(), 2);
	let (returns, raws) = world.ext.execute_with(|| {
		// The transfer still waits for its deposit; both deposits are owed back.
		assert_eq!(transfer(id).state, TransferState::AwaitingDeposit);
		let rejections: Vec<_> = events()
			.into_iter()
			.filter_map(|event| match event {
				crate::Event::DepositRejected { from, amount, reason, instruction, .. } => {
					Some((from, amount, reason, instruction))
				}
				_ => None,
			})
			.collect();
		assert_eq!(
			rejections
				.iter()
				.map(|(from, amount, reason, _)| (*from, *amount, *reason))
				.collect::<Vec<_>>(),
			vec![
				(LinkedAccount::Evm(SENDER_EVM), 999, DepositRejection::WrongAmount),
				(LinkedAccount::Evm(STRANGER_EVM), 500, DepositRejection::UnknownReference),
			]
		);
		let returns: Vec<InstructionId> = rejections.iter().map(|r| r.3).collect();
		assert_eq!(instruction(returns[0]).nonce, 0);
		assert_eq!(instruction(returns[1]).nonce, 1);
		let raws =
			[vault_tx(&vault_key, 0, SENDER_EVM, 999), vault_tx(&vault_key, 1, STRANGER_EVM, 500)];
		(returns, raws)
	});

	// The next run sends both back, each with its own nonce; the chain id and gas price are
	// read once for the run.
	world.expect_head(13);
	world.expect_block(11, &[]);
	world.expect_vault_nonce(13, 0);
	world.expect_signing();
	world.expect_batch(
		"eth_sendRawTransaction",
		&hex_params(&[&raws[0], &raws[1]]),
		&[r#""result":"0x01""#; 2],
	);
	world.run(3);

	// Both are mined in block 12. Once it is final, the watcher reports them final; the
	// settler finds where they were included but does not report it, the block being final.
	world.expect_head(14);
	world.expect_block(
		12,
		&[
			MinedTx::vault(&world, &raws[0], 0, SENDER_EVM, 999),
			MinedTx::vault(&world, &raws[1], 1, STRANGER_EVM, 500),
		],
	);
	world.expect_vault_nonce(14, 2);
	let hashes = raws.clone().map(|raw| sp_io::hashing::keccak_256(&raw));
	let receipt = format!(r#""result":{}"#, receipt_in(12));
	world.expect_batch(
		"eth_getTransactionReceipt",
		&hex_params(&[&hashes[0], &hashes[1]]),
		&[&receipt, &receipt],
	);
	world.run(4);
	// The watcher's two outcomes, in one report.
	assert_eq!(world.reports().len(), 2);
	assert_eq!(world.pool.read().transactions.len(), 1);
	assert_eq!(
		world.include_reports(),
		vec![
			Observation::OutboundFinal {
				instruction: returns[0],
				tx: mined(12, hashes[0]),
				fee: VAULT_TX_FEE
			},
			Observation::OutboundFinal {
				instruction: returns[1],
				tx: mined(12, hashes[1]),
				fee: VAULT_TX_FEE
			},
		]
	);
	world.ext.execute_with(|| {
		for &id in &returns {
			assert_eq!(instruction(id).status, OutboundStatus::Final);
		}
		assert!(ConnectionChain::open_instructions(EVM).is_empty());
		// Nobody's liquidity pays for returning a stray deposit: the fees stay unpaid.
		assert_eq!(ledger(EVM).unpaid_fees, 2 * VAULT_TX_FEE);
		check_invariants();
	});
	// The worker listed both records (once, in the pass that signed them) and forgets them at
	// its next run, their instructions being closed.
	let listed = format!("sent-ids/{EVM}");
	assert_eq!(world.stored(&listed), Some(codec::Encode::encode(&returns)));
	assert!(returns.iter().all(|id| world.stored(&format!("sent/{id}")).is_some()));
	world.expect_head(14);
	world.run(5);
	assert_eq!(world.stored(&listed), Some(codec::Encode::encode(&Vec::<InstructionId>::new())));
	assert!(returns.iter().all(|id| world.stored(&format!("sent/{id}")).is_none()));
}

#[test]
fn a_reverted_payout_is_reported_failed_with_its_fee_and_the_deposit_refunded() {
	let mut world = world();
	let (id, payout, raw) = world.payout_due();
	world.first_payout_run(&raw, true);

	// Mined in block 11, reverted (a recipient whose code refuses ETH).
	let mut reverted = MinedTx::vault(&world, &raw, 0, RECIPIENT_EVM, 1_960);
	reverted.succeeded = false;
	let hash = reverted.hash;
	world.expect_head(13);
	world.expect_block(11, &[reverted]);
	world.expect_vault_nonce(13, 1);
	world.expect_receipt(hash, 11);
	world.run(3);
	let failed = Observation::OutboundFailed {
		instruction: payout,
		tx: mined(11, hash),
		reason: FailureReason::Reverted,
		fee: VAULT_TX_FEE,
	};
	assert_eq!(world.include_reports(), vec![failed]);
	world.ext.execute_with(|| {
		let record = transfer(id);
		assert_eq!(record.state, TransferState::Refunding);
		let step = record.trail.iter().find(|step| step.kind == StepKind::Payout).unwrap();
		assert_eq!(step.result, StepResult::Failed(FailureReason::Reverted));
		assert_eq!(step.tx_hash, Some(H256(hash)));
		let refund = instruction(instruction_of(id, StepKind::Refund));
		assert_eq!(
			(refund.chain, refund.recipient),
			(SUBSTRATE, LinkedAccount::Substrate(SENDER_SUB))
		);
		assert_eq!(refund.amount, 1_000);
		// The gas the reverted payout burnt came out of the operator's liquidity.
		assert_eq!(liquidity(EVM).total_fees, VAULT_TX_FEE);
		check_invariants();
	});
}

#[test]
fn a_payout_past_its_deadline_is_proven_dead_by_a_nonce_taker_and_refunded() {
	let mut world = world();
	let vault_key = world.vault_key;
	let (id, payout, raw) = world.payout_due();
	let (taker, deadline) =
		world.ext.execute_with(|| (taker_tx(&vault_key, 0), transfer(id).payout_deadline.unwrap()));
	world.first_payout_run(&raw, true);

	// The payout is never mined. At its deadline the pallet asks to cancel it, and the worker
	// takes its nonce with a transaction that moves nothing, bidding above the payout.
	world.expect_head(12);
	world.expect_vault_nonce(12, 0);
	world.expect_signing();
	world.expect_send(&taker);
	world.run(deadline);
	world.ext.execute_with(|| {
		assert!(instruction(payout).cancel_requested);
		assert_eq!(transfer(id).state, TransferState::PayingOut);
	});

	// The taker is mined in block 11: the payout can never land, and that is the proof.
	let taker_hash = sp_io::hashing::keccak_256(&taker);
	world.expect_head(13);
	world.expect_block(11, &[MinedTx::vault(&world, &taker, 0, world.vault, 0)]);
	world.expect_vault_nonce(13, 1);
	world.run(deadline + 1);
	let dead = Observation::OutboundDead {
		instruction: payout,
		proof: DeadProof::NonceConsumed { nonce: 0, by_tx: H256(taker_hash) },
		fee: VAULT_TX_FEE,
	};
	assert_eq!(world.include_reports(), vec![dead]);
	world.ext.execute_with(|| {
		assert_eq!(transfer(id).state, TransferState::Refunding);
		assert_eq!(instruction(instruction_of(id, StepKind::Refund)).amount, 1_000);
		check_invariants();
	});
}

#[test]
fn a_failing_endpoint_is_backed_off_and_the_next_run_resumes_at_the_unread_block() {
	let mut world = world();
	let (first, second) = world.ext.execute_with(|| {
		with_operator();
		(request(EVM_TO_SUB, 1_000, "a"), request(EVM_TO_SUB, 1_000, "b"))
	});
	world.set_cursor(10);
	// Block 10 is read, then the endpoint goes down while block 11 is fetched.
	world.expect_head(13);
	world.expect_block(10, &[MinedTx::deposit(&world, SENDER_EVM, 1_000, memo_of(first), 0xD1)]);
	world.expect_down("eth_getBlockByNumber", "[\"0xb\",true]");
	world.run(2);
	assert_eq!(world.reports().len(), 1, "what was read before the failure is reported");

	// Backed off for 2 blocks: no call at block 3 (any would fail the test). Still down at
	// block 4: backed off for 4 more.
	world.run(3);
	world.expect_down("eth_blockNumber", "[]");
	world.run(4);
	for block in 5..8 {
		world.run(block);
	}
	// Up again at block 8: the watcher goes on at block 11, not reading block 10 again.
	world.expect_head(13);
	world.expect_block(11, &[MinedTx::deposit(&world, SENDER_EVM, 1_000, memo_of(second), 0xD2)]);
	world.run(8);
	// And the back-off is over: the next block calls again.
	world.expect_head(13);
	world.run(9);
	assert_eq!(world.include_reports().len(), 2);
	world.ext.execute_with(|| {
		assert_eq!(System::block_number(), 9, "the chain went on all along");
		assert_eq!(transfer(first).state, TransferState::PayingOut);
		assert_eq!(transfer(second).state, TransferState::PayingOut);
		check_invariants();
	});
}

#[test]
fn a_payout_recorded_but_not_sent_is_sent_as_the_same_bytes_at_the_next_run() {
	let mut world = world();
	let (_, _, raw) = world.payout_due();
	// Signed and recorded, then the endpoint fails as it is sent: the same state as a node
	// stopped between recording and sending.
	world.first_payout_run(&raw, false);
	// After the back-off, the recorded transaction is sent as it is: nothing is signed again
	// (no chain id or gas price read).
	world.expect_head(12);
	world.expect_vault_nonce(12, 0);
	world.expect_send(&raw);
	world.run(4);
	// Sent: not again until REBROADCAST_AFTER linked blocks pass.
	world.expect_head(12);
	world.expect_vault_nonce(12, 0);
	world.run(5);
}

#[test]
fn a_run_that_starts_after_a_newer_blocks_run_leaves_the_chain_alone() {
	let mut world = world();
	let (_, payout, raw) = world.payout_due();
	// Block 2's run signs, records and sends the payout.
	world.first_payout_run(&raw, true);
	// Block 1's run starts only now, its node having been busy. Its state may lack
	// instructions block 2's run sent: it makes no call (any would fail the test), so it reads
	// no block past their outcomes and forgets no record.
	world.ext.execute_with(|| ConnectionChain::run_offchain_worker(1));
	assert!(world.stored(&format!("sent/{payout}")).is_some(), "the payout's record is kept");
	let cursor = world.stored("cursor/1");
	assert_eq!(cursor, Some(codec::Encode::encode(&11u64)), "no block was read");
	// Block 3's run goes on: the payout's nonce is taken, so where it is gets looked up.
	world.expect_inclusion_lookup(&raw, 12);
	world.run(3);
}

#[test]
fn an_inclusion_is_reported_only_where_finality_is_far() {
	let mut world = world();
	let (id, payout, raw) = world.payout_due();
	world.first_payout_run(&raw, true);
	let hash = sp_io::hashing::keccak_256(&raw);
	// Mined in block 19 while block 10 is final (19 > 10 + FINALITY_NEAR_BLOCKS): reported,
	// and the trail shows where the payout is while it waits.
	world.expect_inclusion_lookup(&raw, 19);
	world.run(3);
	let included = Observation::OutboundIncluded { instruction: payout, tx: mined(19, hash) };
	assert_eq!(world.reports(), vec![included]);
	assert_eq!(world.include_reports().len(), 1);
	world.ext.execute_with(|| {
		let trail = transfer(id).trail;
		let payout_step = trail.iter().find(|step| step.kind == StepKind::Payout).unwrap();
		assert_eq!(payout_step.result, StepResult::Submitted);
		assert_eq!(payout_step.tx_hash, Some(H256(hash)));
	});
	// Looked up once: the next run reads only the head.
	world.expect_head(12);
	world.run(4);
	assert!(world.reports().is_empty());
}

#[test]
fn a_run_keeps_watching_through_its_poll_window_and_looks_up_an_inclusion_once() {
	let mut world = world();
	let (_, payout, raw) = world.payout_due();
	world.first_payout_run(&raw, true);
	let hash = sp_io::hashing::keccak_256(&raw);

	// Block 3 has timestamp 6,000 ms; with a 1,000 ms window the run makes passes at 6,000,
	// 6,250, 6,500 and 6,750 ms. The payout is mined in block 12, which becomes final (two
	// confirmations) during the third pass: its outcome is reported in this one run.
	WorkerPollWindow::set(1_000);
	world.http.write().timestamp = sp_core::offchain::Timestamp::from_unix_millis(6_000);
	// Pass 1: nothing new is final; the payout's nonce is taken, so where it is gets looked up:
	// in block 12, two blocks past the final head, so it is not reported (the outcome follows).
	world.expect_inclusion_lookup(&raw, 12);
	// Passes 2 to 4: the payout was found in a block, so neither the vault's nonce nor the
	// inclusion is read again; the watcher reads block 11, then block 12 with the payout.
	world.expect_head(13);
	world.expect_block(11, &[]);
	world.expect_head(14);
	world.expect_block(12, &[MinedTx::vault(&world, &raw, 0, RECIPIENT_EVM, 1_960)]);
	world.expect_head(14);
	world.run(3);
	assert_eq!(
		world.http.read().timestamp.unix_millis(),
		6_750,
		"four passes, then the window ends"
	);
	assert_eq!(
		world.reports(),
		vec![Observation::OutboundFinal {
			instruction: payout,
			tx: mined(12, hash),
			fee: VAULT_TX_FEE
		}]
	);

	// The next block's run (window 0 again): still nothing to read but the head.
	WorkerPollWindow::set(0);
	world.expect_head(14);
	world.run(4);
	assert_eq!(world.reports().len(), 1, "nothing sent again");
}

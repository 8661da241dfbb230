//! The off-chain worker against a mocked EVM JSON-RPC endpoint: every request it makes is
//! expected byte for byte, and what it puts in the transaction pool is decoded and checked.
//! This module is the mocked world; [`sending`] tests the vault's transactions, [`reporting`]
//! what is reported and sent again.

mod reporting;
mod sending;

use super::*;
use crate::{
	crypto::SIGNER_KEY_TYPE,
	linked::{BlockScan, VaultTx},
	offchain::{
		endpoint_key,
		evm::{address_of, LegacyTransaction, TAKER_PRICE_FACTOR, TRANSFER_GAS},
		json_rpc::{batch_body, hex, hex_param, request_body},
		observations_from_scan, Reports,
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

/// The mock chain, with authority 1 as this node's key, its EVM signer key in the keystore (the
/// EVM chain's vault, without custody, set to its address, as on a one-validator chain) and the
/// EVM endpoint configured.
fn world() -> World {
	let mut ext = new_test_ext();
	let (offchain, http) = TestOffchainExt::new();
	let (pool_ext, pool) = TestTransactionPoolExt::new();
	let keystore = MemoryKeystore::new();
	let seed = format!("0x{}", hex(&VAULT_SECRET).trim_start_matches("0x"));
	let vault_key = keystore.ecdsa_generate_new(SIGNER_KEY_TYPE, Some(&seed)).unwrap();
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
							let hash = crate::linked::observation_hash(observation);
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
		sp_io::crypto::ecdsa_sign_prehashed(SIGNER_KEY_TYPE, key, &tx.signing_hash()).unwrap();
	// Signed by the vault: the signature recovers to its address.
	let signer = sp_io::crypto::secp256k1_ecdsa_recover(&signature.0, &tx.signing_hash()).ok();
	let signer: Option<[u8; 20]> =
		signer.map(|public| sp_io::hashing::keccak_256(&public)[12..].try_into().unwrap());
	assert_eq!(signer, address_of(key));
	tx.signed(&signature.0).unwrap()
}

/// The memo that names transfer `id`.
pub(super) fn memo_of(id: TransferId) -> Vec<u8> {
	crate::memo::deposit_memo(&DepositReference::<AccountId>::Transfer(id))
}

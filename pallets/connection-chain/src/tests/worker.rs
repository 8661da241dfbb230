//! The off-chain worker against a mocked EVM JSON-RPC endpoint: every request it makes is
//! expected byte for byte, and what it puts in the transaction pool is decoded and checked.

use super::*;
use crate::{
	crypto::VAULT_KEY_TYPE,
	offchain::{
		endpoint_key,
		evm::{address_of, LegacyTransaction, TRANSFER_GAS},
		json_rpc::{hex, request_body},
		observations_from_scan, BlockScan, VaultTx,
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
const GAS_PRICE: u128 = 1_000_000_000;

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
	fn expect(&self, method: &str, params: &str, result: &str) {
		self.http.write().expect_request(PendingRequest {
			method: "POST".into(),
			uri: URL.into(),
			headers: vec![("Content-Type".into(), "application/json".into())],
			body: request_body(method, params).into_bytes(),
			response: Some(format!(r#"{{"jsonrpc":"2.0","id":1,"result":{result}}}"#).into_bytes()),
			sent: true,
			..Default::default()
		});
	}

	/// The final head lookup every run starts with: newest block `newest`, 2 confirmations.
	fn expect_head(&self, newest: u64) {
		self.expect("eth_blockNumber", "[]", &format!("\"0x{newest:x}\""));
		let fin = newest - 2;
		self.expect(
			"eth_getBlockByNumber",
			&format!("[\"0x{fin:x}\",false]"),
			&format!(r#"{{"hash":"{}"}}"#, hex(&[fin as u8; 32])),
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

	fn reports(&self) -> Vec<Observation<AccountId>> {
		self.pool
			.read()
			.transactions
			.iter()
			.map(|raw| match Extrinsic::decode(&mut &raw[..]).unwrap().function {
				RuntimeCall::ConnectionChain(crate::Call::report {
					observation,
					authority,
					..
				}) => {
					assert_eq!(authority, 0, "reported as this node's authority");
					observation
				}
				other => panic!("unexpected call in the pool: {other:?}"),
			})
			.collect()
	}
}

/// The raw transaction the vault must send for `nonce`: `value` to `to`.
fn vault_tx(key: &sp_core::ecdsa::Public, nonce: u64, to: [u8; 20], value: u128) -> Vec<u8> {
	let tx = LegacyTransaction {
		nonce,
		gas_price: GAS_PRICE,
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
	let vault_key = world.vault_key;
	let (payout, raw) = world.ext.execute_with(|| {
		with_operator();
		let id = request(SUB_TO_EVM, 1_000, "a");
		deposit(id, 1_000, 1);
		let payout = instruction_of(id, StepKind::Payout);
		assert_eq!(instruction(payout).nonce, 0);
		// Nothing to read: the cursor is past the head.
		sp_io::offchain::local_storage_set(
			StorageKind::PERSISTENT,
			b"connection-chain/cursor/1",
			&codec::Encode::encode(&100u64),
		);
		(payout, vault_tx(&vault_key, 0, RECIPIENT_EVM, 1_960))
	});
	let send = |world: &World| {
		world.expect("eth_sendRawTransaction", &format!("[\"{}\"]", hex(&raw)), "\"0x01\"")
	};

	// First run: signed with nonce 0 and sent.
	world.expect_head(12);
	world.expect_vault_nonce(12, 0);
	world.expect("eth_chainId", "[]", &format!("\"0x{CHAIN_ID:x}\""));
	world.expect("eth_gasPrice", "[]", &format!("\"0x{GAS_PRICE:x}\""));
	send(&world);
	world.ext.execute_with(|| ConnectionChain::run_offchain_worker(2));

	// Next runs, linked chain at the same height: nothing signed or sent again.
	for block in 3..5 {
		world.expect_head(12);
		world.expect_vault_nonce(12, 0);
		world.ext.execute_with(|| ConnectionChain::run_offchain_worker(block));
	}

	// Eight linked blocks later and still not mined: the very same bytes go out again.
	world.expect_head(20);
	world.expect_vault_nonce(20, 0);
	send(&world);
	world.ext.execute_with(|| ConnectionChain::run_offchain_worker(5));

	// Once the nonce is taken, the worker leaves it to the watcher.
	world.expect_head(30);
	world.expect_vault_nonce(30, 1);
	world.expect(
		"eth_getTransactionReceipt",
		&format!("[\"{}\"]", hex(&sp_io::hashing::keccak_256(&raw))),
		"null",
	);
	world.ext.execute_with(|| ConnectionChain::run_offchain_worker(6));
	assert!(world.reports().is_empty());
	// Its one instruction is still open: the outcome comes from the watcher.
	world.ext.execute_with(|| assert_eq!(instruction(payout).status, OutboundStatus::Pending));
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

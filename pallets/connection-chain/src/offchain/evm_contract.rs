//! An EVM chain's vault contract (`contracts/ConnectionVault.sol`), as the worker reads and
//! drives it: its logs become what a final block holds for the vault ([`scan_logs`]), its
//! `nonce()` is the vault nonce, and its batches are approved with this validator's signer key
//! and submitted from the signer's own account ([`EvmClient::sign_call`]).
//!
//! Deposits are `deposit(memo)` calls (`Deposited`), from an account or a contract alike. Each
//! payment of an executed batch is a `Paid` log, in the batch's order, with whether it went
//! through; an empty batch (`BatchExecuted` with no payments) and a rotation take a nonce and
//! pay nothing. The vault pays no fee: the submitter's account pays the gas.

use super::{
	client::{read_once, WorkerError},
	evm::{EvmClient, LegacyTransaction},
	json_rpc::{hex, hex_fixed_bytes, unhex, RpcError},
};
use crate::{
	crypto::SIGNER_KEY_TYPE,
	linked::{BlockScan, SeenDeposit, SignedTx, VaultTx},
	types::*,
	vault_contract::{
		batch_executed_topic, deposited_topic, nonce_calldata, paid_topic, signers_rotated_topic,
	},
};
use alloc::{format, vec::Vec};
use frame_support::crypto::ecdsa::ECDSAExt;
use serde::Deserialize;
use sp_core::{ecdsa, H256};

/// Gas of an `execute` call beyond its payments and signatures.
pub const EXECUTE_BASE_GAS: u64 = 80_000;
/// Gas of each payment of a batch (the contract lets an ETH recipient use 50,000).
pub const PAYMENT_GAS: u64 = 70_000;
/// Gas of each signature checked.
pub const SIGNATURE_GAS: u64 = 10_000;
/// The gas price of a submission, as a multiple of the chain's current price: a batch should
/// not wait for a calmer block.
pub const GAS_PRICE_FACTOR: u128 = 2;

/// A log as `eth_getLogs` gives it: the fields a scan reads.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogJson<'a> {
	#[serde(borrow)]
	topics: Vec<&'a str>,
	data: &'a str,
	transaction_hash: Option<&'a str>,
	removed: Option<bool>,
}

/// The 32-byte ABI word at `index` of `data`.
fn word(data: &[u8], index: usize) -> Option<[u8; 32]> {
	data.get(index.checked_mul(32)?..index.checked_add(1)?.checked_mul(32)?)?.try_into().ok()
}

/// A word read as an unsigned integer that fits a `u128`.
fn uint(word: [u8; 32]) -> Option<u128> {
	let (high, low) = word.split_at(16);
	let low: [u8; 16] = low.try_into().ok()?;
	high.iter().all(|b| *b == 0).then(|| u128::from_be_bytes(low))
}

/// A word read as an address.
fn address(word: [u8; 32]) -> Option<[u8; 20]> {
	let (high, low) = word.split_at(12);
	let low: [u8; 20] = low.try_into().ok()?;
	high.iter().all(|b| *b == 0).then_some(low)
}

/// Reads the vault contract's logs in `block` (in their order) into what concerns the vault:
/// ETH deposits, and a vault transaction per payment of an executed batch, or one that pays
/// nothing for an empty batch or a rotation. `None` if a log of the vault is malformed.
/// Deposits of a token are not the chain's asset and are left to the token support.
pub fn scan_logs(block: LinkedBlock, logs: &[LogJson]) -> Option<BlockScan> {
	let mut scan =
		BlockScan { block, deposits: Vec::new(), vault_txs: Vec::new(), openings: Vec::new() };
	for log in logs.iter().filter(|log| log.removed != Some(true)) {
		let topic = |i: usize| log.topics.get(i).and_then(|t| hex_fixed_bytes::<32>(t));
		let Some(event) = topic(0) else { continue };
		let data = unhex(log.data)?;
		let tx = LinkedTx { hash: H256(hex_fixed_bytes(log.transaction_hash?)?), block };
		if event == deposited_topic() {
			let (sender, token) = (address(topic(1)?)?, address(topic(2)?)?);
			let amount = uint(word(&data, 0)?)?;
			let memo_at = usize::try_from(uint(word(&data, 1)?)?).ok()?;
			let memo_len = usize::try_from(uint(word(&data, memo_at / 32)?)?).ok()?;
			let memo_start = memo_at.checked_add(32)?;
			let memo = data.get(memo_start..memo_start.checked_add(memo_len)?)?.to_vec();
			if token == [0; 20] {
				let from = LinkedAccount::Evm(sender);
				scan.deposits.push(SeenDeposit { tx, from, amount, memo });
			}
		} else if event == paid_topic() {
			let nonce = u64::try_from(uint(topic(1)?)?).ok()?;
			let to = address(word(&data, 2)?)?;
			let amount = uint(word(&data, 3)?)?;
			let success = uint(word(&data, 4)?)? == 1;
			scan.vault_txs.push(VaultTx {
				tx,
				nonce,
				transfer: Some((LinkedAccount::Evm(to), amount)),
				outcome: if success { Ok(()) } else { Err(FailureReason::Reverted) },
				fee: 0,
			});
		} else if event == batch_executed_topic() || event == signers_rotated_topic() {
			let nonce = u64::try_from(uint(topic(1)?)?).ok()?;
			let pays = event == batch_executed_topic() && uint(word(&data, 0)?)? > 0;
			if !pays {
				scan.vault_txs.push(VaultTx { tx, nonce, transfer: None, outcome: Ok(()), fee: 0 });
			}
		}
	}
	Some(scan)
}

impl EvmClient {
	/// Reads the contract's logs of the final block `number`.
	pub(crate) fn scan_contract(&self, number: u64) -> Result<BlockScan, WorkerError> {
		use super::client::LinkedChainClient;
		let block = self.block_at(number)?;
		let params = format!(
			"[{{\"blockHash\":\"{}\",\"address\":\"{}\"}}]",
			hex(block.hash.as_bytes()),
			hex(&self.vault)
		);
		let body = self.endpoint.call_for_body("eth_getLogs", &params)?;
		let logs: Vec<LogJson> = super::json_rpc::parse_result(&body, "logs")?;
		scan_logs(block, &logs).ok_or(WorkerError::Codec("a vault contract log"))
	}

	/// The contract's `nonce()` at the block `tag`.
	pub(crate) fn contract_nonce(&self, tag: &str) -> Result<u64, WorkerError> {
		let params = format!(
			"[{{\"to\":\"{}\",\"data\":\"{}\"}},{tag}]",
			hex(&self.vault),
			hex(&nonce_calldata())
		);
		let answer = self.endpoint.call("eth_call", &params)?;
		let bytes = answer.as_str().and_then(unhex).and_then(|data| word(&data, 0));
		let nonce = bytes.and_then(uint).and_then(|n| u64::try_from(n).ok());
		nonce.ok_or(WorkerError::Rpc(RpcError::UnexpectedResult("a nonce")))
	}

	/// This node's signer key whose address is `signer`, if its keystore holds it.
	pub fn signer_key(signer: &[u8; 20]) -> Option<ecdsa::Public> {
		sp_io::crypto::ecdsa_public_keys(SIGNER_KEY_TYPE)
			.into_iter()
			.find(|key| key.to_eth_address().ok().as_ref() == Some(signer))
	}

	/// Signs a batch's EIP-712 digest with the signer key `key`.
	pub fn approve(key: &ecdsa::Public, digest: &[u8; 32]) -> Result<VaultSignature, WorkerError> {
		sp_io::crypto::ecdsa_sign_prehashed(SIGNER_KEY_TYPE, key, digest)
			.map(|signature| signature.0)
			.ok_or(WorkerError::Signing)
	}

	/// The next nonce of `account`: of its mined transactions (`pending` false), or counting
	/// those waiting in the node's pool too.
	pub fn account_nonce(&self, account: &[u8; 20], pending: bool) -> Result<u64, WorkerError> {
		let tag = if pending { "pending" } else { "latest" };
		let params = format!("[\"{}\",\"{tag}\"]", hex(account));
		self.small_number("eth_getTransactionCount", &params, "nonce")
	}

	/// A call of the vault contract with `data`, from the signer `key`'s account with its
	/// nonce `sender_nonce`, signed.
	pub fn sign_call(
		&self,
		key: &ecdsa::Public,
		sender_nonce: u64,
		data: Vec<u8>,
		gas_limit: u64,
	) -> Result<SignedTx, WorkerError> {
		let (chain_id, gas_price) = read_once(&self.signing, || {
			Ok((
				self.small_number("eth_chainId", "[]", "chain id")?,
				self.number("eth_gasPrice", "[]")?,
			))
		})?;
		let tx = LegacyTransaction {
			nonce: sender_nonce,
			gas_price: gas_price.saturating_mul(GAS_PRICE_FACTOR),
			gas_limit,
			to: self.vault,
			value: 0,
			data,
			chain_id,
		};
		let signature =
			sp_io::crypto::ecdsa_sign_prehashed(SIGNER_KEY_TYPE, key, &tx.signing_hash())
				.ok_or(WorkerError::Signing)?;
		let raw = tx.signed(&signature.0).ok_or(WorkerError::Codec("chain id"))?;
		let hash = H256(sp_io::hashing::keccak_256(&raw));
		Ok(SignedTx { hash, raw, valid_until: None })
	}
}

/// Gas an `execute` of `payments` payments with `signatures` signatures may use.
pub fn execute_gas(payments: usize, signatures: usize) -> u64 {
	let per = |count: usize, each: u64| (count as u64).saturating_mul(each);
	EXECUTE_BASE_GAS
		.saturating_add(per(payments, PAYMENT_GAS))
		.saturating_add(per(signatures, SIGNATURE_GAS))
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::vault_contract::{address_word, word as abi_word};
	use alloc::{string::String, vec};

	fn hex_words(words: &[[u8; 32]]) -> String {
		hex(&words.concat())
	}

	fn log(topics: &[[u8; 32]], data: &str, tx: u8, removed: bool) -> String {
		let topics: Vec<String> = topics.iter().map(|t| format!("\"{}\"", hex(t))).collect();
		format!(
			r#"{{"address":"0x11","topics":[{}],"data":"{data}","transactionHash":"{}","removed":{removed}}}"#,
			topics.join(","),
			hex(&[tx; 32])
		)
	}

	/// Logs as `eth_getLogs` gives them for the contract's events (their ABI encoding, as the
	/// contract's `emit`s write it): deposits of ETH (a token's is left out), the payments of a
	/// batch in order, an empty batch; a removed log is passed over.
	#[test]
	fn the_vault_contracts_logs_become_deposits_and_vault_transactions() {
		let (user, token, to) = ([0x22; 20], [0x77; 20], [0x33; 20]);
		let memo = b"cc/1memo";
		let mut padded_memo = [0u8; 32];
		padded_memo[..memo.len()].copy_from_slice(memo);
		let deposit_data = |amount| {
			hex_words(&[abi_word(amount), abi_word(64), abi_word(memo.len() as u128), padded_memo])
		};
		let paid_data = |index, amount, success| {
			hex_words(&[
				abi_word(index),
				[0; 32],
				address_word(&to),
				abi_word(amount),
				abi_word(success),
			])
		};
		let logs = [
			log(&[deposited_topic(), address_word(&user), [0; 32]], &deposit_data(900), 1, false),
			log(
				&[deposited_topic(), address_word(&user), address_word(&token)],
				&deposit_data(5),
				2,
				false,
			),
			log(&[paid_topic(), abi_word(7)], &paid_data(0, 500, 1), 3, false),
			log(&[paid_topic(), abi_word(7)], &paid_data(1, 600, 0), 3, false),
			log(&[batch_executed_topic(), abi_word(7)], &hex_words(&[abi_word(2)]), 3, false),
			log(&[batch_executed_topic(), abi_word(8)], &hex_words(&[abi_word(0)]), 4, false),
			log(&[paid_topic(), abi_word(9)], &paid_data(0, 1, 1), 5, true),
		];
		let parsed: Vec<LogJson> =
			logs.iter().map(|text| serde_json::from_str(text).unwrap()).collect();
		let block = LinkedBlock { number: 42, hash: H256([0xbb; 32]) };
		let scan = scan_logs(block, &parsed).expect("well-formed logs");
		let at = |n: u8| LinkedTx { hash: H256([n; 32]), block };
		assert_eq!(
			scan.deposits,
			vec![SeenDeposit {
				tx: at(1),
				from: LinkedAccount::Evm(user),
				amount: 900,
				memo: memo.to_vec()
			}]
		);
		let paid = |amount, outcome| VaultTx {
			tx: at(3),
			nonce: 7,
			transfer: Some((LinkedAccount::Evm(to), amount)),
			outcome,
			fee: 0,
		};
		assert_eq!(
			scan.vault_txs,
			vec![
				paid(500, Ok(())),
				paid(600, Err(FailureReason::Reverted)),
				VaultTx { tx: at(4), nonce: 8, transfer: None, outcome: Ok(()), fee: 0 },
			]
		);
		// A log of the vault cut short leaves the block unread.
		let short = log(&[paid_topic(), abi_word(7)], &hex_words(&[abi_word(0)]), 3, false);
		let short: LogJson = serde_json::from_str(&short).unwrap();
		assert_eq!(scan_logs(block, &[short]), None);
	}
}

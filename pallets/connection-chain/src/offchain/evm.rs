//! An EVM linked chain: legacy transactions with EIP-155 replay protection, signed with the
//! vault's secp256k1 key over Ethereum JSON-RPC.
//!
//! The encoding functions ([`rlp`], [`LegacyTransaction`]) are pure and tested against
//! independent vectors; [`EvmClient`] does the I/O.
//!
//! Deposits are plain ETH transfers to the vault whose data is the deposit memo
//! ([`crate::memo`]). A block counts as final once `confirmations` blocks are on top of it.
//! Vault transfers use a gas limit of [`TRANSFER_GAS`]: a recipient whose code needs more
//! makes the payout fail on chain, and the transfer is refunded.

use super::{
	client::{read_once, LinkedChainClient, SubmitError, VaultKeyClient, WorkerError},
	json_rpc::{
		fixed_bytes, hex, hex_fixed_bytes, hex_param, hex_quantity, parse_result, quantity, unhex,
		Endpoint, RpcError,
	},
};
use crate::{
	crypto::SIGNER_KEY_TYPE,
	linked::{BlockScan, SeenDeposit, SignedTx, VaultTx},
	types::*,
};
use alloc::{collections::BTreeMap, format, string::String, vec::Vec};
use core::cell::OnceCell;
use frame_support::crypto::ecdsa::ECDSAExt;
use serde::Deserialize;
use serde_json::Value;
use sp_core::{ecdsa, H256};

/// Gas of a plain ETH transfer to an account without code.
pub const TRANSFER_GAS: u64 = 21_000;
/// The nonce taker's gas price, as a multiple of the chain's current gas price.
pub const TAKER_PRICE_FACTOR: u128 = 2;

/// Recursive-length-prefix encoding, as much of it as transactions need.
pub mod rlp {
	use alloc::vec::Vec;

	fn length_prefix(out: &mut Vec<u8>, len: usize, short_base: u8) {
		if len < 56 {
			out.push(short_base + len as u8);
		} else {
			let be = (len as u64).to_be_bytes();
			let skip = be.iter().take_while(|b| **b == 0).count();
			out.push(short_base + 55 + (be.len() - skip) as u8);
			out.extend_from_slice(&be[skip..]);
		}
	}

	/// Appends a byte string.
	pub fn bytes(out: &mut Vec<u8>, data: &[u8]) {
		if data.len() == 1 && data[0] < 0x80 {
			out.push(data[0]);
		} else {
			length_prefix(out, data.len(), 0x80);
			out.extend_from_slice(data);
		}
	}

	/// Appends an unsigned integer: big-endian, no leading zeros (zero is the empty string).
	pub fn uint(out: &mut Vec<u8>, value: u128) {
		let be = value.to_be_bytes();
		let skip = be.iter().take_while(|b| **b == 0).count();
		bytes(out, &be[skip..]);
	}

	/// Wraps already encoded items into a list.
	pub fn list(items: &[u8]) -> Vec<u8> {
		let mut out = Vec::with_capacity(items.len() + 9);
		length_prefix(&mut out, items.len(), 0xc0);
		out.extend_from_slice(items);
		out
	}
}

/// A legacy Ethereum transaction, signed with EIP-155 replay protection.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LegacyTransaction {
	/// The sender's nonce.
	pub nonce: u64,
	/// Price per gas, in wei.
	pub gas_price: u128,
	/// Most gas it may use.
	pub gas_limit: u64,
	/// Recipient.
	pub to: [u8; 20],
	/// Wei sent.
	pub value: u128,
	/// Call data.
	pub data: Vec<u8>,
	/// The chain's id (EIP-155).
	pub chain_id: u64,
}

impl LegacyTransaction {
	fn encode_fields(&self, out: &mut Vec<u8>) {
		rlp::uint(out, self.nonce.into());
		rlp::uint(out, self.gas_price);
		rlp::uint(out, self.gas_limit.into());
		rlp::bytes(out, &self.to);
		rlp::uint(out, self.value);
		rlp::bytes(out, &self.data);
	}

	/// The hash the sender signs: keccak-256 of `rlp([nonce, gasPrice, gas, to, value, data,
	/// chainId, 0, 0])`.
	pub fn signing_hash(&self) -> [u8; 32] {
		let mut fields = Vec::new();
		self.encode_fields(&mut fields);
		rlp::uint(&mut fields, self.chain_id.into());
		rlp::uint(&mut fields, 0);
		rlp::uint(&mut fields, 0);
		sp_io::hashing::keccak_256(&rlp::list(&fields))
	}

	/// The raw signed transaction for a 65-byte `r ‖ s ‖ recovery id` signature of
	/// [`Self::signing_hash`]; `v = recovery id + 35 + 2 · chainId`. `None` if the chain id is
	/// too large for `v`.
	pub fn signed(&self, signature: &[u8; 65]) -> Option<Vec<u8>> {
		let v = u128::from(self.chain_id)
			.checked_mul(2)?
			.checked_add(35)?
			.checked_add(signature[64].into())?;
		let mut fields = Vec::new();
		self.encode_fields(&mut fields);
		rlp::uint(&mut fields, v);
		let strip = |word: &[u8]| {
			let skip = word.iter().take_while(|b| **b == 0).count();
			word[skip..].to_vec()
		};
		rlp::bytes(&mut fields, &strip(&signature[..32]));
		rlp::bytes(&mut fields, &strip(&signature[32..64]));
		Some(rlp::list(&fields))
	}
}

/// The Ethereum address of a secp256k1 public key.
pub fn address_of(key: &ecdsa::Public) -> Option<[u8; 20]> {
	key.to_eth_address().ok()
}

/// A block as `eth_getBlockByNumber` gives it with full transactions: the fields a scan reads,
/// borrowed from the response body ([`parse_result`]).
#[derive(Deserialize)]
pub struct BlockJson<'a> {
	number: Option<&'a str>,
	hash: Option<&'a str>,
	#[serde(borrow)]
	transactions: Vec<TransactionJson<'a>>,
}

/// A transaction of a [`BlockJson`].
#[derive(Deserialize)]
struct TransactionJson<'a> {
	hash: Option<&'a str>,
	from: Option<&'a str>,
	/// None for a contract creation.
	to: Option<&'a str>,
	nonce: Option<&'a str>,
	value: Option<&'a str>,
	input: Option<&'a str>,
}

impl TransactionJson<'_> {
	/// Whether the vault sends or receives it.
	fn touches(&self, vault: &[u8; 20]) -> bool {
		let is_vault = |field: Option<&str>| field.and_then(hex_fixed_bytes) == Some(*vault);
		is_vault(self.from) || is_vault(self.to)
	}
}

/// A receipt as `eth_getBlockReceipts` gives it: the fields a scan reads.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptJson<'a> {
	transaction_hash: Option<&'a str>,
	status: Option<&'a str>,
	gas_used: Option<&'a str>,
	effective_gas_price: Option<&'a str>,
}

/// Reads a block (with full transactions) and its receipts into what concerns the vault.
/// `receipts` may be empty when no transaction of the block touches the vault.
pub fn scan_block(
	block: &BlockJson,
	receipts: &[ReceiptJson],
	vault: &[u8; 20],
) -> Option<BlockScan> {
	let at = LinkedBlock {
		number: u64::try_from(hex_quantity(block.number?)?).ok()?,
		hash: H256(hex_fixed_bytes(block.hash?)?),
	};
	let mut scan =
		BlockScan { block: at, deposits: Vec::new(), vault_txs: Vec::new(), openings: Vec::new() };
	// Indexed once: a block of payouts holds thousands of vault transactions, and looking each
	// one's receipt up in the list made a scan quadratic in the block's size. A receipt without
	// a readable hash is no vault transaction's; the first of a repeated hash counts.
	let mut receipt_of = BTreeMap::new();
	for receipt in receipts {
		if let Some(hash) = receipt.transaction_hash.and_then(hex_fixed_bytes::<32>) {
			receipt_of.entry(hash).or_insert(receipt);
		}
	}
	for tx in &block.transactions {
		let from: [u8; 20] = hex_fixed_bytes(tx.from?)?;
		let to: Option<[u8; 20]> = tx.to.and_then(hex_fixed_bytes);
		if from != *vault && to != Some(*vault) {
			continue;
		}
		let hash = H256(hex_fixed_bytes(tx.hash?)?);
		let value = hex_quantity(tx.value?)?;
		let receipt = receipt_of.get(&hash.0)?;
		let succeeded = hex_quantity(receipt.status?)? == 1;
		let linked_tx = LinkedTx { hash, block: at };
		if from == *vault {
			let gas_used = hex_quantity(receipt.gas_used?)?;
			let price = hex_quantity(receipt.effective_gas_price?)?;
			scan.vault_txs.push(VaultTx {
				tx: linked_tx,
				nonce: u64::try_from(hex_quantity(tx.nonce?)?).ok()?,
				transfer: to.map(|to| (LinkedAccount::Evm(to), value)),
				outcome: if succeeded { Ok(()) } else { Err(FailureReason::Reverted) },
				fee: gas_used.checked_mul(price)?,
			});
		} else if succeeded && value > 0 {
			scan.deposits.push(SeenDeposit {
				tx: linked_tx,
				from: LinkedAccount::Evm(from),
				amount: value,
				memo: unhex(tx.input?)?,
			});
		}
	}
	Some(scan)
}

/// A linked EVM chain, seen through its JSON-RPC endpoint.
pub struct EvmClient {
	pub(crate) endpoint: Endpoint,
	pub(crate) vault: [u8; 20],
	/// Whether the vault is a contract paid by threshold signatures ([`super::evm_contract`]),
	/// rather than an account whose key the node holds.
	contract: bool,
	confirmations: u64,
	key: Option<ecdsa::Public>,
	/// The chain id and gas price of the transactions signed in this pass (read once, at the
	/// first one).
	pub(crate) signing: OnceCell<(u64, u128)>,
}

pub(crate) fn block_tag(number: u64) -> String {
	format!("\"0x{number:x}\"")
}

fn address_text(address: &[u8; 20]) -> String {
	format!("\"{}\"", hex(address))
}

impl EvmClient {
	/// A client for `chain` at `endpoint`: of its vault contract (`contract`), or of a vault
	/// account, with its key if the vault is this node's own signer account.
	pub fn new<BlockNumber>(
		endpoint: Endpoint,
		chain: &LinkedChain<BlockNumber>,
		contract: bool,
	) -> Option<Self> {
		let LinkedAccount::Evm(vault) = chain.vault else { return None };
		let key = (!contract)
			.then(|| {
				sp_io::crypto::ecdsa_public_keys(SIGNER_KEY_TYPE)
					.into_iter()
					.find(|key| address_of(key) == Some(vault))
			})
			.flatten();
		Some(Self {
			endpoint,
			vault,
			contract,
			confirmations: chain.confirmations.into(),
			key,
			signing: OnceCell::new(),
		})
	}

	pub(crate) fn number(&self, method: &str, params: &str) -> Result<u128, WorkerError> {
		let value = self.endpoint.call(method, params)?;
		quantity(&value).ok_or(WorkerError::Rpc(RpcError::UnexpectedResult("a hex quantity")))
	}

	/// A number that must fit a `u64` (block numbers, nonces, the chain id); `what` names it.
	pub(crate) fn small_number(
		&self,
		method: &str,
		params: &str,
		what: &'static str,
	) -> Result<u64, WorkerError> {
		u64::try_from(self.number(method, params)?).map_err(|_| WorkerError::Codec(what))
	}
}

impl LinkedChainClient for EvmClient {
	fn final_head(&self) -> Result<LinkedBlock, WorkerError> {
		let newest = self.small_number("eth_blockNumber", "[]", "block number")?;
		self.block_at(newest.saturating_sub(self.confirmations))
	}

	fn block_at(&self, number: u64) -> Result<LinkedBlock, WorkerError> {
		let block = self
			.endpoint
			.call("eth_getBlockByNumber", &format!("[{},false]", block_tag(number)))?;
		let hash = block
			.get("hash")
			.and_then(fixed_bytes)
			.ok_or(WorkerError::Rpc(RpcError::UnexpectedResult("a block")))?;
		Ok(LinkedBlock { number, hash: H256(hash) })
	}

	fn scan(&self, number: u64) -> Result<BlockScan, WorkerError> {
		if self.contract {
			return self.scan_contract(number);
		}
		let block_body = self
			.endpoint
			.call_for_body("eth_getBlockByNumber", &format!("[{},true]", block_tag(number)))?;
		let block: BlockJson = parse_result(&block_body, "a block")?;
		// Receipts are read only for a block that concerns the vault.
		let receipts_body = if block.transactions.iter().any(|tx| tx.touches(&self.vault)) {
			let params = format!("[{}]", block_tag(number));
			Some(self.endpoint.call_for_body("eth_getBlockReceipts", &params)?)
		} else {
			None
		};
		let receipts: Vec<ReceiptJson> = match &receipts_body {
			Some(body) => parse_result(body, "a block's receipts")?,
			None => Vec::new(),
		};
		scan_block(&block, &receipts, &self.vault).ok_or(WorkerError::Codec("an EVM block"))
	}

	fn vault_state(&self, at: &LinkedBlock) -> Result<VaultSnapshot, WorkerError> {
		let params = format!("[{},{}]", address_text(&self.vault), block_tag(at.number));
		let balance = self.number("eth_getBalance", &params)?;
		let nonce = if self.contract {
			self.contract_nonce(&block_tag(at.number))?
		} else {
			self.small_number("eth_getTransactionCount", &params, "nonce")?
		};
		Ok(VaultSnapshot { balance, nonce, at: *at })
	}

	fn vault_nonce(&self) -> Result<(u64, u64), WorkerError> {
		let newest = self.small_number("eth_blockNumber", "[]", "block number")?;
		if self.contract {
			return Ok((self.contract_nonce(&block_tag(newest))?, newest));
		}
		let params = format!("[{},{}]", address_text(&self.vault), block_tag(newest));
		let nonce = self.small_number("eth_getTransactionCount", &params, "nonce")?;
		Ok((nonce, newest))
	}

	fn submit(&self, txs: &[&SignedTx]) -> Vec<Result<(), SubmitError>> {
		let params: Vec<String> = txs.iter().map(|tx| hex_param(&tx.raw)).collect();
		let answers = self.endpoint.call_each("eth_sendRawTransaction", &params);
		answers.into_iter().map(submit_outcome).collect()
	}

	fn inclusions(&self, tx_hashes: &[H256]) -> Vec<Result<Option<LinkedTx>, WorkerError>> {
		let params: Vec<String> = tx_hashes.iter().map(|hash| hex_param(hash.as_bytes())).collect();
		let receipts = self.endpoint.call_each("eth_getTransactionReceipt", &params);
		receipts
			.into_iter()
			.zip(tx_hashes)
			.map(|(receipt, tx_hash)| Ok(inclusion_in(&receipt?, *tx_hash)))
			.collect()
	}
}

impl VaultKeyClient for EvmClient {
	fn can_sign(&self) -> bool {
		self.key.is_some()
	}

	fn sign(
		&self,
		transfer: Option<(LinkedAccount, LinkedAmount)>,
		nonce: u64,
	) -> Result<SignedTx, WorkerError> {
		let key = self.key.as_ref().ok_or(WorkerError::Signing)?;
		let (to, value) = match transfer {
			Some((LinkedAccount::Evm(to), value)) => (to, value),
			Some(_) => return Err(WorkerError::Codec("a non-EVM recipient")),
			// Taking the nonce: nothing to the vault itself.
			None => (self.vault, 0),
		};
		let (chain_id, mut gas_price) = read_once(&self.signing, || {
			Ok((
				self.small_number("eth_chainId", "[]", "chain id")?,
				self.number("eth_gasPrice", "[]")?,
			))
		})?;
		if transfer.is_none() {
			// The nonce taker replaces a payout that may still wait in the chain's pool, and a
			// node takes a replacement only if it bids at least 10% more than the original,
			// which was priced at the gas price of its time.
			gas_price = gas_price.saturating_mul(TAKER_PRICE_FACTOR);
		}
		let tx = LegacyTransaction {
			nonce,
			gas_price,
			gas_limit: TRANSFER_GAS,
			to,
			value,
			data: Vec::new(),
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

/// What the answer to `eth_sendRawTransaction` means for the vault's transaction.
fn submit_outcome(answer: Result<Value, RpcError>) -> Result<(), SubmitError> {
	match answer {
		Ok(_) => Ok(()),
		Err(RpcError::Refused { message, .. }) => {
			let message = message.to_lowercase();
			if message.contains("insufficient funds") {
				Err(SubmitError::CannotPayFees)
			} else if message.contains("already known")
				|| message.contains("nonce too low")
				|| message.contains("already imported")
			{
				// Sent before, or its nonce is taken: the watcher sees what became of it.
				Ok(())
			} else {
				Err(SubmitError::Rpc(RpcError::Refused { code: 0, message }))
			}
		}
		Err(error) => Err(SubmitError::Rpc(error)),
	}
}

/// The block a transaction's receipt places it in; `None` for no receipt (not mined yet).
fn inclusion_in(receipt: &Value, tx_hash: H256) -> Option<LinkedTx> {
	let number = receipt.get("blockNumber").and_then(quantity)?;
	let hash = receipt.get("blockHash").and_then(fixed_bytes)?;
	let number = u64::try_from(number).ok()?;
	Some(LinkedTx { hash: tx_hash, block: LinkedBlock { number, hash: H256(hash) } })
}

#[cfg(test)]
mod tests {
	use super::*;

	/// The example of EIP-155 itself: private key `0x46…46`, nonce 9, gas price 20 gwei, gas
	/// 21,000, to `0x35…35`, 1 ether, chain id 1.
	fn eip155_example() -> LegacyTransaction {
		LegacyTransaction {
			nonce: 9,
			gas_price: 20_000_000_000,
			gas_limit: 21_000,
			to: [0x35; 20],
			value: 10u128.pow(18),
			data: Vec::new(),
			chain_id: 1,
		}
	}

	#[test]
	fn rlp_encodes_the_edge_cases() {
		let encoded = |f: &dyn Fn(&mut Vec<u8>)| {
			let mut out = Vec::new();
			f(&mut out);
			out
		};
		assert_eq!(encoded(&|o| rlp::uint(o, 0)), vec![0x80]);
		assert_eq!(encoded(&|o| rlp::uint(o, 0x7f)), vec![0x7f]);
		assert_eq!(encoded(&|o| rlp::uint(o, 0x80)), vec![0x81, 0x80]);
		assert_eq!(encoded(&|o| rlp::uint(o, 1024)), vec![0x82, 0x04, 0x00]);
		assert_eq!(encoded(&|o| rlp::bytes(o, b"")), vec![0x80]);
		let long = [0xaa; 56];
		assert_eq!(encoded(&|o| rlp::bytes(o, &long))[..2], [0xb8, 56]);
		assert_eq!(rlp::list(&[]), vec![0xc0]);
		assert_eq!(rlp::list(&[0xaa; 60])[..2], [0xf8, 60]);
	}

	#[test]
	fn signs_the_eip155_example_exactly() {
		let tx = eip155_example();
		assert_eq!(
			hex(&tx.signing_hash()),
			"0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53"
		);
		let pair = <ecdsa::Pair as sp_core::Pair>::from_seed(&[0x46; 32]);
		let signature = pair.sign_prehashed(&tx.signing_hash());
		let raw = tx.signed(&signature.0).unwrap();
		assert_eq!(
			hex(&raw),
			"0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83"
		);
		// It recovers to the key's address.
		let recovered = sp_io::crypto::secp256k1_ecdsa_recover(&signature.0, &tx.signing_hash())
			.ok()
			.expect("recovers");
		let address: [u8; 20] = sp_io::hashing::keccak_256(&recovered)[12..].try_into().unwrap();
		assert_eq!(Some(address), address_of(&sp_core::Pair::public(&pair)));
		assert_eq!(hex(&address), "0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f");
	}

	/// A block as `eth_getBlockByNumber` (full transactions) and `eth_getBlockReceipts` give
	/// it: receipts are matched to transactions by hash, not by position.
	#[test]
	fn a_block_scan_pairs_each_vault_transaction_with_its_receipt() {
		let vault = [0x11; 20];
		let (user, other) = ([0x22; 20], [0x33; 20]);
		let tx = |n: u8, from: &[u8; 20], to: &[u8; 20], value: u64, input: &str| {
			format!(
				r#"{{"hash":"{}","from":"{}","to":"{}","nonce":"0x{n:x}","value":"0x{value:x}","input":"{input}","gas":"0x5208"}}"#,
				hex(&[n; 32]),
				hex(from),
				hex(to)
			)
		};
		let receipt = |n: u8, status: &str| {
			format!(
				r#"{{"transactionHash":"{}","status":"{status}","gasUsed":"0x5208","effectiveGasPrice":"0x2","logs":[]}}"#,
				hex(&[n; 32])
			)
		};
		let block_text = format!(
			r#"{{"number":"0x2a","hash":"{}","transactions":[{},{},{},{}]}}"#,
			hex(&[0xbb; 32]),
			tx(1, &vault, &user, 500, "0x"),
			tx(2, &other, &user, 7, "0x"),
			tx(3, &user, &vault, 900, "0xc0ffee"),
			tx(4, &vault, &other, 600, "0x"),
		);
		let block: BlockJson = serde_json::from_str(&block_text).expect("a block");
		// Out of order, as a node may list them.
		let receipts = [receipt(4, "0x0"), receipt(3, "0x1"), receipt(2, "0x1"), receipt(1, "0x1")];
		fn read(receipts: &[String]) -> Vec<ReceiptJson<'_>> {
			receipts.iter().map(|text| serde_json::from_str(text).expect("a receipt")).collect()
		}
		let scan = scan_block(&block, &read(&receipts), &vault).expect("a valid block");
		let at = LinkedBlock { number: 42, hash: H256([0xbb; 32]) };
		assert_eq!(scan.block, at);
		let payout = |n: u8, to: [u8; 20], value: u128, outcome| VaultTx {
			tx: LinkedTx { hash: H256([n; 32]), block: at },
			nonce: u64::from(n),
			transfer: Some((LinkedAccount::Evm(to), value)),
			outcome,
			fee: 21_000 * 2,
		};
		assert_eq!(
			scan.vault_txs,
			vec![payout(1, user, 500, Ok(())), payout(4, other, 600, Err(FailureReason::Reverted))]
		);
		assert_eq!(
			scan.deposits,
			vec![SeenDeposit {
				tx: LinkedTx { hash: H256([3; 32]), block: at },
				from: LinkedAccount::Evm(user),
				amount: 900,
				memo: vec![0xc0, 0xff, 0xee],
			}]
		);
		// A receipt without a readable hash is passed over; a vault transaction without its
		// receipt leaves the block unread.
		let mut garbled = receipts.to_vec();
		garbled.push(r#"{"transactionHash":"0x12","status":"0x1"}"#.into());
		assert_eq!(scan_block(&block, &read(&garbled), &vault), Some(scan));
		assert_eq!(scan_block(&block, &read(&receipts[1..]), &vault), None);
	}

	/// A block's result read by `parse_result` borrows its text from the response body, and an
	/// error answer or a null result is an error, not an empty block.
	#[test]
	fn a_block_is_read_from_the_response_body_without_copying_its_text() {
		let body = format!(
			r#"{{"jsonrpc":"2.0","id":1,"result":{{"number":"0x1","hash":"{}","transactions":[]}}}}"#,
			hex(&[0xbb; 32])
		);
		let block: BlockJson = parse_result(body.as_bytes(), "a block").expect("a block");
		let number = block.number.expect("a number");
		assert!(body.as_bytes().as_ptr_range().contains(&number.as_ptr()));
		let null = br#"{"jsonrpc":"2.0","id":1,"result":null}"#;
		assert_eq!(
			parse_result::<BlockJson>(null, "a block").err(),
			Some(RpcError::UnexpectedResult("a block"))
		);
		let refused =
			br#"{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"unknown block"}}"#;
		assert_eq!(
			parse_result::<BlockJson>(refused, "a block").err(),
			Some(RpcError::Refused { code: -32000, message: "unknown block".into() })
		);
	}

	/// Transactions signed by anvil 1.7.1 (foundry's node, signing with alloy) through
	/// `eth_signTransaction` for its first development account (the published test key
	/// `0xac09…ff80`, address `0xf39f…2266`), chain id 31337: a payout and a nonce taker.
	#[test]
	fn signs_exactly_as_anvil_does() {
		let secret =
			unhex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80").unwrap();
		let pair = <ecdsa::Pair as sp_core::Pair>::from_seed_slice(&secret).unwrap();
		let account: [u8; 20] =
			unhex("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266").unwrap().try_into().unwrap();
		assert_eq!(address_of(&sp_core::Pair::public(&pair)), Some(account));
		let sign = |tx: LegacyTransaction| {
			hex(&tx.signed(&pair.sign_prehashed(&tx.signing_hash()).0).unwrap())
		};
		let payout = LegacyTransaction {
			nonce: 7,
			gas_price: 1_000_000_000,
			gas_limit: TRANSFER_GAS,
			to: unhex("0x70997970c51812dc3a010c7d01b50e0d17dc79c8").unwrap().try_into().unwrap(),
			value: 10u128.pow(18),
			data: Vec::new(),
			chain_id: 31337,
		};
		assert_eq!(
			sign(payout),
			"0xf86d07843b9aca008252089470997970c51812dc3a010c7d01b50e0d17dc79c8880de0b6b3a76400008082f4f5a0db987a363f954ae979a4bee877cd10b1abc2e363082e18de402d6c4a817378d2a03f34cfd101bd15d3c5901f6217b4434b3174ab78cc80c1fc56efc1010771eca6"
		);
		let taker = LegacyTransaction {
			nonce: 0,
			gas_price: 2_000_000_000,
			gas_limit: TRANSFER_GAS,
			to: account,
			value: 0,
			data: Vec::new(),
			chain_id: 31337,
		};
		assert_eq!(
			sign(taker),
			"0xf86580847735940082520894f39fd6e51aad88f6f4ce6ab8827279cfffb92266808082f4f5a00836ceeb1e9741bdbcac06c892715b2865396d82a734f7f4fc67540973edfcfba04e1d85c5f5c5e28200ba533aa395cb7bf51d21be1e73d573f87c4c28582978a0"
		);
	}
}

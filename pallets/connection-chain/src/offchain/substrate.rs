//! A Substrate linked chain, over its JSON-RPC: its vault is the `pallet-multisig` account of
//! the validators' own accounts there, and each validator's worker signs mortal v4 extrinsics
//! that open and approve the vault's batches with its own sr25519 signer key. A chain with one
//! validator cannot have a multisig (`pallet-multisig` needs two signatories): its vault is that
//! validator's signer account, whose own extrinsics pay one instruction each, by account nonce.
//!
//! How the linked chain's runtime encodes extrinsics, calls, events and accounts is its own
//! business, so the connection chain's runtime supplies it ([`SubstrateRuntimeCodec`]). The
//! runtime in this repository implements it for chains that run the same runtime (the
//! `linked_ledger` preset).
//!
//! Blocks count as final when GRANDPA finalized them. Deposits are transfers into the vault
//! made by an extrinsic that also carries the deposit memo in a `system.remark`
//! (`utility.batch_all([balances.transfer_keep_alive(vault, amount), system.remark(memo)])`).
//! A signer's extrinsics are mortal ([`ERA_PERIOD`] blocks): one that expired unincluded is
//! signed again.

use super::{
	client::{read_once, LinkedChainClient, SubmitError, VaultKeyClient, WorkerError},
	json_rpc::{fixed_bytes, hex, hex_param, parse_result, quantity, unhex, Endpoint, RpcError},
};
use crate::{
	crypto::SIGNER_KEY_TYPE,
	linked::{
		account_key, events_key, BlockScan, MultisigApproval, PendingMultisig, SignedTx,
		SubstrateRuntimeCodec, SubstrateTxParams, VaultBatchCall,
	},
	types::*,
};
use alloc::{format, string::String, vec::Vec};
use core::{cell::OnceCell, marker::PhantomData};
use serde::Deserialize;
use serde_json::Value;
use sp_core::{sr25519, H256};
use sp_runtime::generic::Era;

/// Blocks a signer's extrinsic stays valid for.
pub const ERA_PERIOD: u64 = 64;

/// A linked Substrate chain, seen through its JSON-RPC endpoint.
pub struct SubstrateClient<Codec> {
	endpoint: Endpoint,
	vault: [u8; 32],
	/// This node's signer key, if the vault is that key's own account (a one-validator chain).
	vault_key: Option<sr25519::Public>,
	/// What every extrinsic signed in this pass shares (read once, at the first one).
	signing: OnceCell<SigningContext>,
	_codec: PhantomData<Codec>,
}

/// The parameters the extrinsics signed in one pass share: all but the nonce.
#[derive(Clone)]
struct SigningContext {
	params: SubstrateTxParams,
	/// Last block they can be included in.
	valid_until: u64,
}

/// A block as `chain_getBlock` gives it: its extrinsics' hex text, borrowed from the response
/// body ([`parse_result`]).
#[derive(Deserialize)]
struct SignedBlockJson<'a> {
	#[serde(borrow)]
	block: BlockBodyJson<'a>,
}

/// The block of a [`SignedBlockJson`].
#[derive(Deserialize)]
struct BlockBodyJson<'a> {
	#[serde(borrow)]
	extrinsics: Vec<&'a str>,
}

fn unexpected(what: &'static str) -> WorkerError {
	WorkerError::Rpc(RpcError::UnexpectedResult(what))
}

fn number_of(header: &Value) -> Result<u64, WorkerError> {
	let number = header.get("number").and_then(quantity).ok_or(unexpected("a header"))?;
	u64::try_from(number).map_err(|_| unexpected("a header"))
}

fn hash_of(value: &Value) -> Result<H256, WorkerError> {
	fixed_bytes(value).map(H256).ok_or(unexpected("a block hash"))
}

impl<Codec: SubstrateRuntimeCodec> SubstrateClient<Codec> {
	/// A client for `chain` at `endpoint`.
	pub fn new<BlockNumber>(endpoint: Endpoint, chain: &LinkedChain<BlockNumber>) -> Option<Self> {
		let LinkedAccount::Substrate(vault) = chain.vault else { return None };
		let vault_key = Self::signer_key(&vault);
		Some(Self { endpoint, vault, vault_key, signing: OnceCell::new(), _codec: PhantomData })
	}

	/// This node's signer key of the account `signer`, if its keystore has it.
	pub fn signer_key(signer: &[u8; 32]) -> Option<sr25519::Public> {
		sp_io::crypto::sr25519_public_keys(SIGNER_KEY_TYPE).into_iter().find(|key| key.0 == *signer)
	}

	/// The hash of the best block.
	fn best_hash(&self) -> Result<(H256, u64), WorkerError> {
		let header = self.endpoint.call("chain_getHeader", "[]")?;
		let number = number_of(&header)?;
		Ok((self.block_at(number)?.hash, number))
	}

	/// The next nonce of the account `account` at the best block.
	pub fn account_nonce(&self, account: &[u8; 32]) -> Result<u64, WorkerError> {
		let (hash, _) = self.best_hash()?;
		Ok(self.account_of(account, hash)?.1)
	}

	/// The vault's pending operation on the call of `batch`, at the best block.
	pub fn pending_multisig(
		&self,
		batch: &VaultBatchCall,
	) -> Result<Option<PendingMultisig>, WorkerError> {
		let key = Codec::pending_multisig_key(&self.vault, &Codec::batch_call_hash(batch));
		let (hash, _) = self.best_hash()?;
		match self.storage(&key, hash)? {
			None => Ok(None),
			Some(raw) => Codec::decode_pending_multisig(&raw)
				.map(Some)
				.ok_or(WorkerError::Codec("a pending multisig operation")),
		}
	}

	/// `approval`, signed with the signer key `key` at the signer's nonce `nonce`.
	pub fn sign_approval(
		&self,
		key: &sr25519::Public,
		approval: &MultisigApproval,
		nonce: u64,
	) -> Result<SignedTx, WorkerError> {
		self.sign_with(key, nonce, |params, sign| {
			Codec::multisig_extrinsic(approval, params, key.0, sign)
		})
	}

	/// The extrinsic `build` makes from this pass's parameters at `nonce`, signed with the
	/// signer key `key`.
	fn sign_with(
		&self,
		key: &sr25519::Public,
		nonce: u64,
		build: impl FnOnce(&SubstrateTxParams, &dyn Fn(&[u8]) -> Option<[u8; 64]>) -> Option<Vec<u8>>,
	) -> Result<SignedTx, WorkerError> {
		let shared = read_once(&self.signing, || self.signing_context())?;
		let params = SubstrateTxParams { nonce, ..shared.params };
		let sign = |payload: &[u8]| {
			sp_io::crypto::sr25519_sign(SIGNER_KEY_TYPE, key, payload).map(|signature| signature.0)
		};
		let raw = build(&params, &sign).ok_or(WorkerError::Signing)?;
		let hash = H256(sp_io::hashing::blake2_256(&raw));
		Ok(SignedTx { hash, raw, valid_until: Some(shared.valid_until) })
	}

	/// The genesis hash, runtime versions and era of the extrinsics signed in this pass.
	fn signing_context(&self) -> Result<SigningContext, WorkerError> {
		let genesis_hash = self.block_at(0)?.hash;
		let version = self.endpoint.call("state_getRuntimeVersion", "[]")?;
		let version_field = |name| {
			version
				.get(name)
				.and_then(Value::as_u64)
				.and_then(|v| u32::try_from(v).ok())
				.ok_or(unexpected("a runtime version"))
		};
		// The era starts at the final head, so it cannot start on a block that gets reverted.
		let head = self.final_head()?;
		let era = Era::mortal(ERA_PERIOD, head.number);
		let birth = era.birth(head.number);
		let params = SubstrateTxParams {
			nonce: 0,
			genesis_hash,
			spec_version: version_field("specVersion")?,
			transaction_version: version_field("transactionVersion")?,
			era,
			era_birth_hash: if birth == head.number {
				head.hash
			} else {
				self.block_at(birth)?.hash
			},
		};
		// `death` is the first block it is no longer valid at.
		Ok(SigningContext { params, valid_until: era.death(head.number).saturating_sub(1) })
	}

	fn storage(&self, key: &[u8], at: H256) -> Result<Option<Vec<u8>>, WorkerError> {
		let params = format!("[\"{}\",\"{}\"]", hex(key), hex(at.as_bytes()));
		let value = self.endpoint.call("state_getStorage", &params)?;
		match value.as_str() {
			None if value.is_null() => Ok(None),
			Some(text) => unhex(text).map(Some).ok_or(unexpected("storage bytes")),
			None => Err(unexpected("storage bytes")),
		}
	}

	fn account_of(&self, account: &[u8; 32], at: H256) -> Result<(LinkedAmount, u64), WorkerError> {
		match self.storage(&account_key(account), at)? {
			// An account that never received anything.
			None => Ok((0, 0)),
			Some(raw) => Codec::decode_account(&raw).ok_or(WorkerError::Codec("an account")),
		}
	}
}

impl<Codec: SubstrateRuntimeCodec> LinkedChainClient for SubstrateClient<Codec> {
	fn final_head(&self) -> Result<LinkedBlock, WorkerError> {
		let hash = hash_of(&self.endpoint.call("chain_getFinalizedHead", "[]")?)?;
		let header = self.endpoint.call("chain_getHeader", &hex_param(hash.as_bytes()))?;
		Ok(LinkedBlock { number: number_of(&header)?, hash })
	}

	fn block_at(&self, number: u64) -> Result<LinkedBlock, WorkerError> {
		let hash = self.endpoint.call("chain_getBlockHash", &format!("[{number}]"))?;
		Ok(LinkedBlock { number, hash: hash_of(&hash)? })
	}

	fn scan(&self, number: u64) -> Result<BlockScan, WorkerError> {
		let block = self.block_at(number)?;
		let body =
			self.endpoint.call_for_body("chain_getBlock", &hex_param(block.hash.as_bytes()))?;
		let signed_block: SignedBlockJson = parse_result(&body, "a block")?;
		let extrinsics = signed_block
			.block
			.extrinsics
			.iter()
			.map(|xt| unhex(xt))
			.collect::<Option<Vec<_>>>()
			.ok_or(unexpected("extrinsic bytes"))?;
		let events = self.storage(&events_key(), block.hash)?.unwrap_or_default();
		Codec::scan_block(block, &extrinsics, &events, &self.vault)
			.ok_or(WorkerError::Codec("a Substrate block"))
	}

	fn vault_state(&self, at: &LinkedBlock) -> Result<VaultSnapshot, WorkerError> {
		let (balance, nonce) = self.account_of(&self.vault, at.hash)?;
		Ok(VaultSnapshot { balance, nonce, at: *at })
	}

	fn vault_nonce(&self) -> Result<(u64, u64), WorkerError> {
		let (hash, number) = self.best_hash()?;
		Ok((self.account_of(&self.vault, hash)?.1, number))
	}

	fn submit(&self, txs: &[&SignedTx]) -> Vec<Result<(), SubmitError>> {
		let params: Vec<String> = txs.iter().map(|tx| hex_param(&tx.raw)).collect();
		let answers = self.endpoint.call_each("author_submitExtrinsic", &params);
		answers.into_iter().map(submit_outcome).collect()
	}

	fn inclusions(&self, tx_hashes: &[H256]) -> Vec<Result<Option<LinkedTx>, WorkerError>> {
		// GRANDPA finalizes within a few blocks: the final outcome follows the inclusion so
		// closely that the worker reports it alone.
		tx_hashes.iter().map(|_| Ok(None)).collect()
	}
}

impl<Codec: SubstrateRuntimeCodec> VaultKeyClient for SubstrateClient<Codec> {
	fn can_sign(&self) -> bool {
		self.vault_key.is_some()
	}

	fn sign(
		&self,
		transfer: Option<(LinkedAccount, LinkedAmount)>,
		nonce: u64,
	) -> Result<SignedTx, WorkerError> {
		let key = self.vault_key.ok_or(WorkerError::Signing)?;
		let transfer = match transfer {
			Some((LinkedAccount::Substrate(to), amount)) => Some((to, amount)),
			Some(_) => return Err(WorkerError::Codec("a non-Substrate recipient")),
			None => None,
		};
		self.sign_with(&key, nonce, |params, sign| {
			Codec::signed_extrinsic(transfer, params, key.0, sign)
		})
	}
}

/// What the answer to `author_submitExtrinsic` means for a signer's transaction.
fn submit_outcome(answer: Result<Value, RpcError>) -> Result<(), SubmitError> {
	match answer {
		Ok(_) => Ok(()),
		Err(RpcError::Refused { code, message }) => {
			let lower = message.to_lowercase();
			if lower.contains("inability to pay some fees") {
				Err(SubmitError::CannotPayFees)
			} else if matches!(code, 1012..=1014) || lower.contains("outdated") {
				// Banned as seen before, already in the pool, replaced by a transaction with
				// the same nonce, or its nonce is taken: the watcher sees what became of it.
				Ok(())
			} else {
				Err(SubmitError::Rpc(RpcError::Refused { code, message }))
			}
		}
		Err(error) => Err(SubmitError::Rpc(error)),
	}
}

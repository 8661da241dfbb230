//! The EVM vault contract (`contracts/ConnectionVault.sol`) as the pallet and the worker speak
//! to it: the EIP-712 digest of a batch, which the pallet checks approvals against and the
//! worker signs; the calldata of `execute`; and the topics of the events the worker reads.
//!
//! Every value the contract hashes or takes here is a 32-byte ABI word (addresses, amounts,
//! nonces) or an array of them, so the encoding is a concatenation of words; the tests check
//! it against the contract's own `batchDigest` on anvil (`tests/e2e-custody.test.mjs`).

use alloc::vec::Vec;
use sp_io::hashing::keccak_256;

/// One payment of a batch: `amount` wei to `to` (the contract's `Payment` with token zero).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Payment {
	/// The recipient.
	pub to: [u8; 20],
	/// The amount, in wei.
	pub amount: u128,
}

/// The contract's EIP-712 domain name and version.
pub const DOMAIN_NAME: &[u8] = b"ConnectionVault";
/// See [`DOMAIN_NAME`].
pub const DOMAIN_VERSION: &[u8] = b"1";

const DOMAIN_TYPE: &[u8] =
	b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";
const PAYMENT_TYPE: &[u8] = b"Payment(address token,address to,uint256 amount)";
const BATCH_TYPE: &[u8] =
	b"Batch(uint256 nonce,Payment[] payments)Payment(address token,address to,uint256 amount)";
const EXECUTE_SIGNATURE: &[u8] = b"execute(uint256,(address,address,uint256)[],bytes[])";

/// Topic of `Deposited(address indexed sender, address indexed token, uint256 amount, bytes memo)`.
pub fn deposited_topic() -> [u8; 32] {
	keccak_256(b"Deposited(address,address,uint256,bytes)")
}
/// Topic of `Paid(uint256 indexed nonce, uint256 index, address token, address to, uint256
/// amount, bool success)`.
pub fn paid_topic() -> [u8; 32] {
	keccak_256(b"Paid(uint256,uint256,address,address,uint256,bool)")
}
/// Topic of `BatchExecuted(uint256 indexed nonce, uint256 payments)`.
pub fn batch_executed_topic() -> [u8; 32] {
	keccak_256(b"BatchExecuted(uint256,uint256)")
}
/// Topic of `SignersRotated(uint256 indexed nonce, address[] signers, uint256 threshold)`.
pub fn signers_rotated_topic() -> [u8; 32] {
	keccak_256(b"SignersRotated(uint256,address[],uint256)")
}

/// The calldata of the contract's `nonce()` view: the nonce the next batch must carry.
pub fn nonce_calldata() -> [u8; 4] {
	let hash = keccak_256(b"nonce()");
	[hash[0], hash[1], hash[2], hash[3]]
}

/// An unsigned integer as an ABI word.
pub fn word(value: u128) -> [u8; 32] {
	let mut out = [0u8; 32];
	out[16..].copy_from_slice(&value.to_be_bytes());
	out
}

/// An address as an ABI word.
pub fn address_word(address: &[u8; 20]) -> [u8; 32] {
	let mut out = [0u8; 32];
	out[12..].copy_from_slice(address);
	out
}

fn hash_words(words: &[[u8; 32]]) -> [u8; 32] {
	keccak_256(&words.concat())
}

/// The digest the signers sign to pay `payments` as the batch `nonce` of the vault `contract`
/// on chain `chain_id` (the contract's `batchDigest`). The empty batch only takes the nonce.
pub fn batch_digest(
	chain_id: u64,
	contract: &[u8; 20],
	nonce: u64,
	payments: &[Payment],
) -> [u8; 32] {
	let domain = hash_words(&[
		keccak_256(DOMAIN_TYPE),
		keccak_256(DOMAIN_NAME),
		keccak_256(DOMAIN_VERSION),
		word(chain_id.into()),
		address_word(contract),
	]);
	let payment_type = keccak_256(PAYMENT_TYPE);
	let payment_hashes: Vec<[u8; 32]> = payments
		.iter()
		.map(|p| hash_words(&[payment_type, [0; 32], address_word(&p.to), word(p.amount)]))
		.collect();
	let batch =
		hash_words(&[keccak_256(BATCH_TYPE), word(nonce.into()), hash_words(&payment_hashes)]);
	keccak_256(&[&[0x19, 0x01][..], &domain, &batch].concat())
}

/// The Ethereum address of a secp256k1 public key in its 64-byte uncompressed form.
pub fn address_of_uncompressed(public: &[u8; 64]) -> [u8; 20] {
	let hash = keccak_256(public);
	let mut address = [0u8; 20];
	address.copy_from_slice(&hash[12..]);
	address
}

/// The address that signed `digest`, if `signature` is a valid one.
pub fn recover_signer(signature: &[u8; 65], digest: &[u8; 32]) -> Option<[u8; 20]> {
	sp_io::crypto::secp256k1_ecdsa_recover(signature, digest)
		.ok()
		.map(|public| address_of_uncompressed(&public))
}

/// The calldata of `execute(nonce, payments, signatures)`: the signatures with their signers,
/// ordered by signer address as the contract requires, `v` as 27 or 28.
pub fn execute_calldata(
	nonce: u64,
	payments: &[Payment],
	mut signatures: Vec<([u8; 20], [u8; 65])>,
) -> Vec<u8> {
	signatures.sort_by_key(|(signer, _)| *signer);
	let payments_len = payments.len() as u128;
	let signatures_len = signatures.len() as u128;
	let payments_bytes = 32 + 96 * payments_len;
	let mut words: Vec<[u8; 32]> = Vec::new();
	// Head: the nonce and the offsets of the two arrays.
	words.extend([word(nonce.into()), word(96), word(96 + payments_bytes)]);
	words.push(word(payments_len));
	for payment in payments {
		words.extend([[0; 32], address_word(&payment.to), word(payment.amount)]);
	}
	// `bytes[]`: the length, an offset per element (from after the length), then each element
	// as its length and 65 bytes padded to three words.
	words.push(word(signatures_len));
	for index in 0..signatures_len {
		words.push(word(32 * signatures_len + 128 * index));
	}
	let mut out = keccak_256(EXECUTE_SIGNATURE)[..4].to_vec();
	out.extend(words.concat());
	for (_, signature) in &signatures {
		out.extend(word(65));
		let mut padded = [0u8; 96];
		padded[..65].copy_from_slice(signature);
		padded[64] = if signature[64] < 27 { signature[64] + 27 } else { signature[64] };
		out.extend(padded);
	}
	out
}

#[cfg(test)]
mod tests {
	use super::*;

	// The vectors below are ethers 6.17.0's (`TypedDataEncoder.hash`, `Interface.encodeFunctionData`
	// of the same domain, types and values), an implementation independent of this one.

	const CONTRACT: [u8; 20] = [0x11; 20];

	fn hex32(text: &str) -> [u8; 32] {
		let mut out = [0u8; 32];
		for (i, byte) in out.iter_mut().enumerate() {
			*byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap();
		}
		out
	}

	#[test]
	fn batch_digests_are_those_of_eip_712() {
		let payments = [
			Payment { to: [0x22; 20], amount: 1000 },
			Payment { to: [0x33; 20], amount: 5 * 10u128.pow(18) },
		];
		assert_eq!(
			batch_digest(31337, &CONTRACT, 7, &payments),
			hex32("92d3d7f905cf0f4a20aa3b7b3ae73168e4d735235ecffeb8f43908501622c405")
		);
		assert_eq!(
			batch_digest(31337, &CONTRACT, 8, &[]),
			hex32("245518ac81f3ca9a559f4521715b4b65dc47fe3c26f6e2d89c20c8c3abe66d07")
		);
	}

	#[test]
	fn execute_calldata_is_the_abi_encoding_with_signatures_by_signer() {
		let mut first = [0xaa; 65];
		first[64] = 0;
		let mut second = [0xbb; 65];
		second[64] = 1;
		// Given out of order: the signer 0x01… comes first.
		let calldata = execute_calldata(
			7,
			&[Payment { to: [0x22; 20], amount: 1000 }],
			alloc::vec![([0x02; 20], second), ([0x01; 20], first)],
		);
		let words = |text: &str| -> Vec<u8> {
			(0..text.len() / 2)
				.map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap())
				.collect()
		};
		let mut expected = words("111de481");
		let zero = "0".repeat(64);
		let w = |tail: &str| format!("{}{tail}", "0".repeat(64 - tail.len()));
		let sig = |byte: &str, v: &str| format!("{}{v}{}", byte.repeat(64), "0".repeat(62));
		for part in [
			w("7"),
			w("60"),
			w("e0"),
			w("1"),
			zero.clone(),
			w(&"22".repeat(20)),
			w("3e8"),
			w("2"),
			w("40"),
			w("c0"),
			w("41"),
			sig("aa", "1b"),
			w("41"),
			sig("bb", "1c"),
		] {
			expected.extend(words(&part));
		}
		assert_eq!(calldata, expected);
	}

	#[test]
	fn a_signature_recovers_its_signer_and_nothing_else() {
		use frame_support::crypto::ecdsa::ECDSAExt;
		use sp_core::{ecdsa, Pair};
		let pair = ecdsa::Pair::from_seed(&[7; 32]);
		let digest = batch_digest(31337, &CONTRACT, 1, &[]);
		let signature = pair.sign_prehashed(&digest).0;
		let signer = pair.public().to_eth_address().unwrap();
		assert_eq!(recover_signer(&signature, &digest), Some(signer));
		let other = batch_digest(31337, &CONTRACT, 2, &[]);
		assert_ne!(recover_signer(&signature, &other), Some(signer));
	}
}

//! The keys of a validator's node: the attestation key and its own signer keys on the linked
//! chains.
//!
//! The attestation key signs the reports of linked-chain observations. It is part of the
//! runtime's session keys, so `--alice` / `--dev` (and `author_rotateKeys`) put it in a
//! validator's keystore; `key insert --key-type ccat --scheme sr25519` does too.
//!
//! The signer keys ([`SIGNER_KEY_TYPE`]) are this validator's own keys on the linked chains, one
//! per scheme. No other validator holds them, and no single signer can move a vault:
//! - secp256k1 on an EVM chain: its address is one of the signers of the chain's vault
//!   contract, so it approves the vault's batches, and it pays the gas of the batches it
//!   submits. Insert it with `key insert --key-type ccsg --scheme ecdsa --suri <secret>`.
//! - sr25519 on a Substrate chain: its account is one of those the vault is the multisig
//!   account of, so it opens and approves the vault's batches there, paying their fees. Insert
//!   it with `key insert --key-type ccsg --scheme sr25519 --suri <secret>`.
//!
//! A chain whose vault has no custody set (one validator: `pallet-multisig` needs two
//! signatories) keeps its vault as that validator's own signer account, which its worker signs
//! for with the same key.

use sp_runtime::KeyTypeId;

/// Key type of the attestation key.
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"ccat");

/// Key type of a validator's own signer keys on the linked chains.
pub const SIGNER_KEY_TYPE: KeyTypeId = KeyTypeId(*b"ccsg");

mod app {
	use sp_runtime::app_crypto::{app_crypto, sr25519};
	app_crypto!(sr25519, super::KEY_TYPE);
}

// The worker keys as typed application keys, so that a node can ask its keystore for their
// pairs (`LocalKeystore::key_pair`); the worker itself signs through `sp_io::crypto` by key type.
mod signer_sr25519 {
	use sp_runtime::app_crypto::{app_crypto, sr25519};
	app_crypto!(sr25519, super::SIGNER_KEY_TYPE);
}
mod signer_ecdsa {
	use sp_runtime::app_crypto::{app_crypto, ecdsa};
	app_crypto!(ecdsa, super::SIGNER_KEY_TYPE);
}

/// An attestation authority's public key.
pub type AuthorityId = app::Public;
/// An attestation authority's signature.
pub type AuthoritySignature = app::Signature;

/// The attestation key pair, as the node's keystore holds it.
#[cfg(feature = "std")]
pub type AuthorityPair = app::Pair;
/// A validator's Substrate signer key pair, as the node's keystore holds it.
#[cfg(feature = "std")]
pub type SignerSr25519Pair = signer_sr25519::Pair;
/// A validator's EVM signer key pair, as the node's keystore holds it.
#[cfg(feature = "std")]
pub type SignerEcdsaPair = signer_ecdsa::Pair;

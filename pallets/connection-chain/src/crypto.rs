//! The keys of a validator's node: the attestation key, its own signer key, and the Substrate
//! vault key.
//!
//! The attestation key signs the reports of linked-chain observations. It is part of the
//! runtime's session keys, so `--alice` / `--dev` (and `author_rotateKeys`) put it in a
//! validator's keystore; `key insert --key-type ccat --scheme sr25519` does too.
//!
//! The signer key ([`SIGNER_KEY_TYPE`], secp256k1) is this validator's own key on an EVM chain:
//! its address is one of the signers of the chain's vault contract, so it approves the vault's
//! batches, and it pays the gas of the batches it submits. No other validator holds it, and no
//! single signer can move the vault. Insert it with
//! `key insert --key-type ccsg --scheme ecdsa --suri <secret>`.
//!
//! The Substrate vault key ([`VAULT_KEY_TYPE`], sr25519) is the account of a Substrate chain's
//! vault; every validator that settles that vault holds it (until the Substrate vault is a
//! multisig account). Insert it with `key insert --key-type ccvt --scheme sr25519 --suri <secret>`.

use sp_runtime::KeyTypeId;

/// Key type of the attestation key.
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"ccat");

/// Key type of the Substrate vault key.
pub const VAULT_KEY_TYPE: KeyTypeId = KeyTypeId(*b"ccvt");

/// Key type of a validator's own signer key on the EVM chains.
pub const SIGNER_KEY_TYPE: KeyTypeId = KeyTypeId(*b"ccsg");

mod app {
	use sp_runtime::app_crypto::{app_crypto, sr25519};
	app_crypto!(sr25519, super::KEY_TYPE);
}

// The worker keys as typed application keys, so that a node can ask its keystore for their
// pairs (`LocalKeystore::key_pair`); the worker itself signs through `sp_io::crypto` by key type.
mod vault_sr25519 {
	use sp_runtime::app_crypto::{app_crypto, sr25519};
	app_crypto!(sr25519, super::VAULT_KEY_TYPE);
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
/// A Substrate vault's key pair, as the node's keystore holds it.
#[cfg(feature = "std")]
pub type VaultSr25519Pair = vault_sr25519::Pair;
/// A validator's EVM signer key pair, as the node's keystore holds it.
#[cfg(feature = "std")]
pub type SignerEcdsaPair = signer_ecdsa::Pair;

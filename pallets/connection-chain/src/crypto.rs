//! The keys of a validator's node: the attestation key, and the vault keys.
//!
//! The attestation key signs the reports of linked-chain observations. It is part of the
//! runtime's session keys, so `--alice` / `--dev` (and `author_rotateKeys`) put it in a
//! validator's keystore; `key insert --key-type ccat --scheme sr25519` does too.
//!
//! A vault key signs the vault's transactions on a linked chain. It is stored under
//! [`VAULT_KEY_TYPE`]: an sr25519 key whose account is a Substrate chain's vault, a secp256k1
//! (`ecdsa`) key whose Ethereum address is an EVM chain's vault. The worker uses whichever key
//! matches the vault registered on chain; a node without it watches and reports but does not
//! sign. Insert it with `key insert --key-type ccvt --scheme sr25519|ecdsa --suri <secret>`.

use sp_runtime::KeyTypeId;

/// Key type of the attestation key.
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"ccat");

/// Key type of the vault keys.
pub const VAULT_KEY_TYPE: KeyTypeId = KeyTypeId(*b"ccvt");

mod app {
	use sp_runtime::app_crypto::{app_crypto, sr25519};
	app_crypto!(sr25519, super::KEY_TYPE);
}

// The vault keys as typed application keys, so that a node can ask its keystore for their
// pairs (`LocalKeystore::key_pair`); the worker itself signs through `sp_io::crypto` by key type.
mod vault_sr25519 {
	use sp_runtime::app_crypto::{app_crypto, sr25519};
	app_crypto!(sr25519, super::VAULT_KEY_TYPE);
}
mod vault_ecdsa {
	use sp_runtime::app_crypto::{app_crypto, ecdsa};
	app_crypto!(ecdsa, super::VAULT_KEY_TYPE);
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
/// An EVM vault's key pair, as the node's keystore holds it.
#[cfg(feature = "std")]
pub type VaultEcdsaPair = vault_ecdsa::Pair;

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

/// An attestation authority's public key.
pub type AuthorityId = app::Public;
/// An attestation authority's signature.
pub type AuthoritySignature = app::Signature;

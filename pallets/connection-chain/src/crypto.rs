//! The attestation key: validators sign their reports of linked-chain observations with it.
//!
//! It is part of the runtime's session keys, so `--alice` / `--dev` (and `author_rotateKeys`)
//! put it in a validator's keystore; `key insert --key-type ccat --scheme sr25519` does too.

use sp_runtime::KeyTypeId;

/// Key type of the attestation key.
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"ccat");

mod app {
	use sp_runtime::app_crypto::{app_crypto, sr25519};
	app_crypto!(sr25519, super::KEY_TYPE);
}

/// An attestation authority's public key.
pub type AuthorityId = app::Public;
/// An attestation authority's signature.
pub type AuthoritySignature = app::Signature;

//! The keystore the off-chain workers sign with: the node's local keystore, keeping the key
//! pairs of the workers' keys once derived.
//!
//! `LocalKeystore` stores each key as its secret URI and derives the pair from it again at
//! every signature. For a secret phrase (what `author_rotateKeys` generates and what most
//! `key insert --suri "<words>"` store) that is PBKDF2 with 2,048 rounds of HMAC-SHA512, about
//! a millisecond. Aura and GRANDPA sign a few times a block, but the workers sign every report,
//! every approval and every vault transaction, one after another in the worker's thread, where
//! the derivation would dominate.
//!
//! So the attestation key and the signer keys are derived once, on their first
//! signature, and kept in memory for the node's life; every other key and call goes to the
//! local keystore unchanged (consensus keys are signed as before). The local keystore holds
//! `--dev`/`--alice` keys in memory, and a node's keys are on its disk in the clear unless a
//! keystore password is set; this cache adds derived pairs to the same process. A key file
//! removed while the node runs stays usable by the workers until the node restarts.

use std::{collections::HashMap, hash::Hash, sync::Arc};

use pallet_connection_chain::crypto::{
	AuthorityPair, SignerEcdsaPair, SignerSr25519Pair, KEY_TYPE, SIGNER_KEY_TYPE,
};
use parking_lot::RwLock;
use sc_keystore::LocalKeystore;
use sp_core::{
	crypto::{KeyTypeId, Pair},
	ecdsa, ed25519, sr25519,
};
use sp_keystore::{Error, Keystore};
use sp_runtime::app_crypto::{AppCrypto, AppPair};

/// Pairs already derived, by key type and public key.
struct DerivedPairs<P: Pair>(RwLock<HashMap<(KeyTypeId, P::Public), P>>);

impl<P: Pair + Clone> DerivedPairs<P>
where
	P::Public: Hash + Eq,
{
	fn new() -> Self {
		Self(RwLock::new(HashMap::new()))
	}

	/// The pair of `public`, derived by `derive` the first time it is found. A key not found is
	/// looked up again next time: it may be inserted meanwhile.
	fn get(
		&self,
		key_type: KeyTypeId,
		public: &P::Public,
		derive: impl FnOnce() -> Result<Option<P>, Error>,
	) -> Result<Option<P>, Error> {
		if let Some(pair) = self.0.read().get(&(key_type, public.clone())) {
			return Ok(Some(pair.clone()));
		}
		let pair = derive()?;
		if let Some(pair) = &pair {
			self.0.write().insert((key_type, public.clone()), pair.clone());
		}
		Ok(pair)
	}
}

/// The local keystore's pair of `public` as application key `AP` (its key type), if present.
fn local_pair<AP: AppPair>(
	local: &LocalKeystore,
	public: &<AP::Generic as Pair>::Public,
) -> Result<Option<AP::Generic>, Error>
where
	<AP as AppCrypto>::Public: From<<AP::Generic as Pair>::Public>,
{
	let public = <AP as AppCrypto>::Public::from(public.clone());
	let pair = local.key_pair::<AP>(&public).map_err(Error::from)?;
	Ok(pair.map(AP::Generic::from))
}

/// The node's local keystore, with the workers' key pairs kept once derived (see the module
/// documentation).
pub struct WorkerKeystore {
	local: Arc<LocalKeystore>,
	sr25519_pairs: DerivedPairs<sr25519::Pair>,
	ecdsa_pairs: DerivedPairs<ecdsa::Pair>,
}

impl WorkerKeystore {
	/// The workers' view of `local`.
	pub fn new(local: Arc<LocalKeystore>) -> Self {
		Self { local, sr25519_pairs: DerivedPairs::new(), ecdsa_pairs: DerivedPairs::new() }
	}
}

impl Keystore for WorkerKeystore {
	fn sr25519_sign(
		&self,
		key_type: KeyTypeId,
		public: &sr25519::Public,
		msg: &[u8],
	) -> Result<Option<sr25519::Signature>, Error> {
		let pair = if key_type == KEY_TYPE {
			self.sr25519_pairs
				.get(key_type, public, || local_pair::<AuthorityPair>(&self.local, public))
		} else if key_type == SIGNER_KEY_TYPE {
			self.sr25519_pairs
				.get(key_type, public, || local_pair::<SignerSr25519Pair>(&self.local, public))
		} else {
			return self.local.sr25519_sign(key_type, public, msg);
		}?;
		Ok(pair.map(|pair| pair.sign(msg)))
	}

	fn ecdsa_sign_prehashed(
		&self,
		key_type: KeyTypeId,
		public: &ecdsa::Public,
		msg: &[u8; 32],
	) -> Result<Option<ecdsa::Signature>, Error> {
		if key_type != SIGNER_KEY_TYPE {
			return self.local.ecdsa_sign_prehashed(key_type, public, msg);
		}
		let pair = self
			.ecdsa_pairs
			.get(key_type, public, || local_pair::<SignerEcdsaPair>(&self.local, public))?;
		Ok(pair.map(|pair| pair.sign_prehashed(msg)))
	}

	// Everything else as the local keystore does it.

	fn sr25519_public_keys(&self, key_type: KeyTypeId) -> Vec<sr25519::Public> {
		self.local.sr25519_public_keys(key_type)
	}

	fn sr25519_generate_new(
		&self,
		key_type: KeyTypeId,
		seed: Option<&str>,
	) -> Result<sr25519::Public, Error> {
		self.local.sr25519_generate_new(key_type, seed)
	}

	fn sr25519_vrf_sign(
		&self,
		key_type: KeyTypeId,
		public: &sr25519::Public,
		data: &sr25519::vrf::VrfSignData,
	) -> Result<Option<sr25519::vrf::VrfSignature>, Error> {
		self.local.sr25519_vrf_sign(key_type, public, data)
	}

	fn sr25519_vrf_pre_output(
		&self,
		key_type: KeyTypeId,
		public: &sr25519::Public,
		input: &sr25519::vrf::VrfInput,
	) -> Result<Option<sr25519::vrf::VrfPreOutput>, Error> {
		self.local.sr25519_vrf_pre_output(key_type, public, input)
	}

	fn ed25519_public_keys(&self, key_type: KeyTypeId) -> Vec<ed25519::Public> {
		self.local.ed25519_public_keys(key_type)
	}

	fn ed25519_generate_new(
		&self,
		key_type: KeyTypeId,
		seed: Option<&str>,
	) -> Result<ed25519::Public, Error> {
		self.local.ed25519_generate_new(key_type, seed)
	}

	fn ed25519_sign(
		&self,
		key_type: KeyTypeId,
		public: &ed25519::Public,
		msg: &[u8],
	) -> Result<Option<ed25519::Signature>, Error> {
		self.local.ed25519_sign(key_type, public, msg)
	}

	fn ecdsa_public_keys(&self, key_type: KeyTypeId) -> Vec<ecdsa::Public> {
		self.local.ecdsa_public_keys(key_type)
	}

	fn ecdsa_generate_new(
		&self,
		key_type: KeyTypeId,
		seed: Option<&str>,
	) -> Result<ecdsa::Public, Error> {
		self.local.ecdsa_generate_new(key_type, seed)
	}

	fn ecdsa_sign(
		&self,
		key_type: KeyTypeId,
		public: &ecdsa::Public,
		msg: &[u8],
	) -> Result<Option<ecdsa::Signature>, Error> {
		self.local.ecdsa_sign(key_type, public, msg)
	}

	fn insert(&self, key_type: KeyTypeId, suri: &str, public: &[u8]) -> Result<(), ()> {
		self.local.insert(key_type, suri, public)
	}

	fn keys(&self, key_type: KeyTypeId) -> Result<Vec<Vec<u8>>, Error> {
		self.local.keys(key_type)
	}

	fn has_keys(&self, public_keys: &[(Vec<u8>, KeyTypeId)]) -> bool {
		self.local.has_keys(public_keys)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::crypto::DEV_PHRASE;

	/// A keystore in its own directory, removed when dropped.
	struct KeystoreDir(std::path::PathBuf);

	impl KeystoreDir {
		fn new(name: &str) -> (Self, Arc<LocalKeystore>) {
			let path = std::env::temp_dir()
				.join(format!("cc-worker-keystore-{name}-{}", std::process::id()));
			let _ = std::fs::remove_dir_all(&path);
			let local = Arc::new(LocalKeystore::open(&path, None).expect("opens"));
			(Self(path), local)
		}

		/// Removes every key file: the local keystore no longer finds the keys.
		fn remove_keys(&self) {
			for file in std::fs::read_dir(&self.0).expect("lists") {
				std::fs::remove_file(file.expect("an entry").path()).expect("removes");
			}
		}
	}

	impl Drop for KeystoreDir {
		fn drop(&mut self) {
			let _ = std::fs::remove_dir_all(&self.0);
		}
	}

	/// Inserts the key of `suri` as `key_type` and returns its public key.
	fn insert<P: Pair>(keystore: &dyn Keystore, key_type: KeyTypeId, suri: &str) -> P::Public {
		let public = P::from_string(suri, None).expect("a valid secret").public();
		keystore.insert(key_type, suri, public.as_ref()).expect("inserts");
		public
	}

	#[test]
	fn the_workers_keys_are_derived_once_and_sign_as_the_local_keystore_would() {
		let (dir, local) = KeystoreDir::new("derived-once");
		let worker = WorkerKeystore::new(local.clone());
		let ledger_signer =
			insert::<sr25519::Pair>(&worker, SIGNER_KEY_TYPE, &format!("{DEV_PHRASE}//Ledger"));
		let attester =
			insert::<sr25519::Pair>(&worker, KEY_TYPE, &format!("{DEV_PHRASE}//Attester"));
		let evm_signer =
			insert::<ecdsa::Pair>(&worker, SIGNER_KEY_TYPE, &format!("{DEV_PHRASE}//Evm"));
		let message = b"a report";
		let hash = sp_io::hashing::keccak_256(message);

		let ledger_signature =
			worker.sr25519_sign(SIGNER_KEY_TYPE, &ledger_signer, message).unwrap();
		assert!(sr25519::Pair::verify(&ledger_signature.unwrap(), message, &ledger_signer));
		let attester_signature = worker.sr25519_sign(KEY_TYPE, &attester, message).unwrap();
		assert!(sr25519::Pair::verify(&attester_signature.unwrap(), message, &attester));
		// ECDSA signatures are deterministic: the same as the local keystore's.
		let evm_signature =
			worker.ecdsa_sign_prehashed(SIGNER_KEY_TYPE, &evm_signer, &hash).unwrap();
		assert!(evm_signature.is_some());
		assert_eq!(
			evm_signature,
			local.ecdsa_sign_prehashed(SIGNER_KEY_TYPE, &evm_signer, &hash).unwrap()
		);

		// Without its files the local keystore no longer signs; the derived pairs still do.
		dir.remove_keys();
		assert_eq!(local.sr25519_sign(SIGNER_KEY_TYPE, &ledger_signer, message).unwrap(), None);
		assert_eq!(local.ecdsa_sign_prehashed(SIGNER_KEY_TYPE, &evm_signer, &hash).unwrap(), None);
		let again = worker.sr25519_sign(SIGNER_KEY_TYPE, &ledger_signer, message).unwrap();
		assert!(sr25519::Pair::verify(&again.unwrap(), message, &ledger_signer));
		let again = worker.sr25519_sign(KEY_TYPE, &attester, message).unwrap();
		assert!(sr25519::Pair::verify(&again.unwrap(), message, &attester));
		assert_eq!(
			worker.ecdsa_sign_prehashed(SIGNER_KEY_TYPE, &evm_signer, &hash).unwrap(),
			evm_signature
		);
	}

	#[test]
	fn other_keys_and_missing_keys_go_to_the_local_keystore_every_time() {
		let (dir, local) = KeystoreDir::new("others");
		let worker = WorkerKeystore::new(local);
		let aura = KeyTypeId(*b"aura");
		let consensus = insert::<sr25519::Pair>(&worker, aura, &format!("{DEV_PHRASE}//Aura"));
		let message = b"a block";

		let signature = worker.sr25519_sign(aura, &consensus, message).unwrap();
		assert!(sr25519::Pair::verify(&signature.unwrap(), message, &consensus));
		// Not kept: once its file is gone, the consensus key no longer signs.
		dir.remove_keys();
		assert_eq!(worker.sr25519_sign(aura, &consensus, message).unwrap(), None);

		// A worker key not in the keystore does not sign, and is found once inserted.
		let suri = format!("{DEV_PHRASE}//Later");
		let later = sr25519::Pair::from_string(&suri, None).unwrap().public();
		assert_eq!(worker.sr25519_sign(SIGNER_KEY_TYPE, &later, message).unwrap(), None);
		insert::<sr25519::Pair>(&worker, SIGNER_KEY_TYPE, &suri);
		let signature = worker.sr25519_sign(SIGNER_KEY_TYPE, &later, message).unwrap();
		assert!(sr25519::Pair::verify(&signature.unwrap(), message, &later));
	}
}

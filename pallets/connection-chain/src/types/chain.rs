//! Linked chains: their kind, accounts, vault ledger and what the workers read of them.

use super::*;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::BoundedVec;
use scale_info::TypeInfo;
use sp_core::H256;

/// The architecture of a linked chain. It decides the account format, how deposits are
/// recognised and how the vault signs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum ChainKind {
	/// A Substrate chain: 32-byte accounts, sr25519 signer keys.
	Substrate,
	/// An EVM chain: 20-byte addresses, secp256k1 signer keys.
	Evm,
}

/// An account on a linked chain, in the format of that chain's kind.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum LinkedAccount {
	/// A 32-byte Substrate account id.
	Substrate([u8; 32]),
	/// A 20-byte EVM address.
	Evm([u8; 20]),
}

impl AsRef<[u8]> for LinkedAccount {
	fn as_ref(&self) -> &[u8] {
		match self {
			LinkedAccount::Substrate(account) => account,
			LinkedAccount::Evm(address) => address,
		}
	}
}

impl LinkedAccount {
	/// Reads raw bytes as an account of a chain of `kind`; `None` if they are not one.
	pub fn parse(kind: ChainKind, raw: &[u8]) -> Option<Self> {
		match kind {
			ChainKind::Substrate => raw.try_into().ok().map(LinkedAccount::Substrate),
			ChainKind::Evm => raw.try_into().ok().map(LinkedAccount::Evm),
		}
	}

	/// The kind of chain this account belongs to.
	pub fn kind(&self) -> ChainKind {
		match self {
			LinkedAccount::Substrate(_) => ChainKind::Substrate,
			LinkedAccount::Evm(_) => ChainKind::Evm,
		}
	}
}

/// Whether a linked chain takes new transfers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum ChainStatus {
	/// Takes new requests.
	Active,
	/// Takes no new requests; transfers already in flight finish or refund as usual.
	Paused,
}

/// The asset a linked chain carries.
#[derive(Clone, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct AssetInfo {
	/// Ticker, e.g. `ETH`.
	pub symbol: BoundedVec<u8, MaxSymbolLen>,
	/// Decimals of the smallest unit (18 for ETH).
	pub decimals: u8,
}

/// How long a new transfer may take at each stage, in connection-chain blocks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct DeadlineWindows<BlockNumber> {
	/// From the request to the deposit's report; afterwards the transfer expires.
	pub deposit: BlockNumber,
	/// From the deposit to the payout's final report; afterwards the workers must stop the
	/// payout and prove it dead before the deposit is refunded.
	pub payout: BlockNumber,
}

/// A cap on what may leave a linked chain (as the source of transfers) per period.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct VolumeLimit<BlockNumber> {
	/// Largest total source amount requested per period.
	pub max_per_period: LinkedAmount,
	/// Length of a period in connection-chain blocks.
	pub period: BlockNumber,
}

/// A chain linked to the connection chain.
#[derive(Clone, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct LinkedChain<BlockNumber> {
	/// Architecture of the chain.
	pub kind: ChainKind,
	/// Human-readable name.
	pub name: BoundedVec<u8, MaxNameLen>,
	/// The asset carried.
	pub asset: AssetInfo,
	/// The vault (escrow) on that chain: a contract or multisig account controlled by a
	/// threshold of the validators' signer keys (see [`crate::custody`]).
	pub vault: LinkedAccount,
	/// Blocks on top of a transaction's block before it counts as final (for chains without
	/// finality; a Substrate chain's GRANDPA-finalized blocks count as final regardless).
	pub confirmations: u32,
	/// Whether the chain takes new requests.
	pub status: ChainStatus,
	/// Cap on the volume requested from this chain per period.
	pub volume_limit: VolumeLimit<BlockNumber>,
}

/// What the vault of a linked chain holds, as the pallet accounts for it. The vault's real
/// balance must equal [`VaultLedger::expected_vault_balance`] (plus whatever the vault holds for
/// its own fees).
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct VaultLedger {
	/// Deposits of transfers on hold (not yet settled to the operator or refunded).
	pub held: LinkedAmount,
	/// Operators' liquidity on this chain, free and reserved.
	pub operator_liquidity: LinkedAmount,
	/// Amounts of outbound instructions not yet final on the chain.
	pub pending_outbound: LinkedAmount,
	/// Fees the vault paid on its chain that no operator's liquidity could cover. Non-zero
	/// means the vault holds less than it owes: someone must top it up.
	pub unpaid_fees: LinkedAmount,
}

impl VaultLedger {
	/// What the vault should hold on its chain; `None` if the fees it paid exceed everything
	/// it holds.
	pub fn expected_vault_balance(&self) -> Option<LinkedAmount> {
		self.held
			.checked_add(self.operator_liquidity)?
			.checked_add(self.pending_outbound)?
			.checked_sub(self.unpaid_fees)
	}
}

/// A vault's balance and account nonce at a block of its chain, as the workers read them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct VaultSnapshot {
	/// The vault's balance.
	pub balance: LinkedAmount,
	/// The vault account's next nonce.
	pub nonce: u64,
	/// The block they were read at.
	pub at: LinkedBlock,
}

/// A block of a linked chain.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct LinkedBlock {
	/// Block number.
	pub number: u64,
	/// Block hash.
	pub hash: H256,
}

/// A transaction on a linked chain and the block that includes it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct LinkedTx {
	/// Transaction hash (EVM) or extrinsic hash (Substrate).
	pub hash: H256,
	/// The block that includes it.
	pub block: LinkedBlock,
}

//! The memo a deposit carries so the workers can tell what it is for.
//!
//! A deposit into a vault names its purpose in its own transaction: on a Substrate chain, a
//! `system.remark` batched with the transfer (`utility.batch_all([transfer, remark(memo)])`);
//! on an EVM chain, the transaction's data. The memo is [`MEMO_PREFIX`] followed by the SCALE
//! encoding of a [`DepositReference`]: `Transfer(id)` for a transfer's deposit (so two
//! identical requests can never be confused), `Liquidity(operator)` for an operator's
//! liquidity, `NewTransfer { rule, recipient, min_received }` to open a transfer with no
//! request. A deposit without a readable memo is reported as `Unknown`, and the pallet returns
//! it to its sender.

use crate::types::DepositReference;
use alloc::vec::Vec;
use codec::{Decode, DecodeAll, Encode};

/// What every memo starts with: "cc", then the memo format version.
pub const MEMO_PREFIX: &[u8; 4] = b"cc/1";

/// The memo a deposit for `reference` must carry.
pub fn deposit_memo<AccountId: Encode>(reference: &DepositReference<AccountId>) -> Vec<u8> {
	let mut memo = MEMO_PREFIX.to_vec();
	reference.encode_to(&mut memo);
	memo
}

/// What a deposit's memo says it is for. Anything but a prefixed, exactly encoded reference
/// is `Unknown`.
pub fn parse_memo<AccountId: Decode>(memo: &[u8]) -> DepositReference<AccountId> {
	memo.strip_prefix(MEMO_PREFIX.as_slice())
		.and_then(|mut rest| DepositReference::decode_all(&mut rest).ok())
		.unwrap_or(DepositReference::Unknown)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn memos_round_trip_and_anything_else_is_unknown() {
		let transfer = DepositReference::<u64>::Transfer(7);
		let memo = deposit_memo(&transfer);
		assert_eq!(memo, b"cc/1\x00\x07\x00\x00\x00\x00\x00\x00\x00".to_vec());
		assert_eq!(parse_memo::<u64>(&memo), transfer);
		let liquidity = DepositReference::<u64>::Liquidity(10);
		assert_eq!(parse_memo::<u64>(&deposit_memo(&liquidity)), liquidity);
		let opening = DepositReference::<u64>::NewTransfer {
			rule: 2,
			recipient: crate::types::LinkedAccount::Evm([0x22; 20]),
			min_received: 5,
		};
		let memo_of_opening = deposit_memo(&opening);
		// Variant 3, the rule (u32), the recipient (variant 1: EVM, 20 bytes), the least (u128).
		assert_eq!(memo_of_opening[4..10], [3, 2, 0, 0, 0, 1]);
		assert_eq!(memo_of_opening.len(), 4 + 1 + 4 + 1 + 20 + 16);
		assert_eq!(parse_memo::<u64>(&memo_of_opening), opening);
		// Trailing bytes, a cut-off reference, another prefix, nothing at all.
		let mut longer = memo.clone();
		longer.push(0);
		for bad in [&longer[..], &memo[..memo.len() - 1], b"cc/2\x00\x07", b""] {
			assert_eq!(parse_memo::<u64>(bad), DepositReference::Unknown);
		}
	}
}

//! The storage cost of one transfer, as the pallet's crate doc states it, with this runtime's
//! types (32-byte accounts, u128 balances, u32 block numbers).

use codec::MaxEncodedLen;
use connection_chain_runtime::{AccountId, Balance, BlockNumber};
use pallet_connection_chain::{OutboundInstruction, Transfer};

#[test]
fn transfer_storage_cost_is_as_documented() {
	let record = Transfer::<AccountId, Balance, BlockNumber>::max_encoded_len();
	let instruction = OutboundInstruction::<AccountId, BlockNumber>::max_encoded_len();
	println!("transfer record: {record} bytes, outbound instruction: {instruction} bytes");
	assert_eq!(record, 3_474);
	assert_eq!(instruction, 173);
}

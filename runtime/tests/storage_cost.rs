//! The storage cost of one transfer, as the pallet's crate doc states it, with this runtime's
//! types (32-byte accounts, u128 balances, u32 block numbers).

use codec::MaxEncodedLen;
use connection_chain_runtime::{AccountId, Balance, BlockNumber};
use pallet_connection_chain::{DepositReference, OutboundInstruction, Transfer};

#[test]
fn transfer_storage_cost_is_as_documented() {
	let record = Transfer::<AccountId, Balance, BlockNumber>::max_encoded_len();
	let instruction = OutboundInstruction::<AccountId, BlockNumber>::max_encoded_len();
	let seen_deposit = DepositReference::<AccountId>::max_encoded_len();
	println!(
		"transfer record: {record} bytes, outbound instruction: {instruction} bytes, \
		 seen deposit: {seen_deposit} bytes"
	);
	assert_eq!(record, 3_475);
	assert_eq!(instruction, 173);
	assert_eq!(seen_deposit, 54);
}

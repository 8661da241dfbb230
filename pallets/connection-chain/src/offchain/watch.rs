//! Watching a linked chain: its final blocks are read once each, from a cursor kept in the
//! node's persistent storage (so the blocks produced while the node was down are read after it
//! restarts), and what they hold that concerns the vault becomes observations: deposits, and
//! the outcome of each open instruction whose nonce a vault transaction took. Every
//! [`VAULT_STATE_EVERY`] blocks the vault's balance and nonce are reported too.

use super::{client::*, reports::Reports, store};
use crate::{linked::BlockScan, pallet::*, types::*};
use alloc::{collections::BTreeMap, vec::Vec};
use codec::Decode;

/// Most linked blocks one pass reads per chain; a longer backlog is caught up over later passes.
pub const MAX_BLOCKS_PER_PASS: u64 = 16;
/// The vault's state is reported at every linked block whose number is a multiple of this.
pub const VAULT_STATE_EVERY: u64 = 32;

/// The observations a final block gives: its deposits, and the outcome of each open
/// instruction whose nonce a vault transaction in it took.
pub fn observations_from_scan<AccountId: Decode + Clone, BlockNumber>(
	chain: ChainId,
	scan: &BlockScan,
	open: &[(InstructionId, OutboundInstruction<AccountId, BlockNumber>)],
) -> Vec<Observation<AccountId>> {
	let deposits = scan.deposits.iter().map(|deposit| Observation::Deposit {
		chain,
		tx: deposit.tx,
		from: deposit.from,
		amount: deposit.amount,
		reference: crate::memo::parse_memo(&deposit.memo),
	});
	// Indexed once: a block of payouts holds thousands of vault transactions, and as many
	// instructions may be open. A vault account's nonce pays one instruction; a vault
	// contract's nonce pays a batch, one payment per instruction in id order (`open` is).
	let mut open_by_nonce: BTreeMap<u64, Vec<_>> = BTreeMap::new();
	for (id, instruction) in open {
		open_by_nonce.entry(instruction.nonce).or_default().push((*id, instruction));
	}
	let mut paid_of_nonce: BTreeMap<u64, usize> = BTreeMap::new();
	let mut outcomes = Vec::new();
	for vault_tx in &scan.vault_txs {
		let Some(batch) = open_by_nonce.get(&vault_tx.nonce) else { continue };
		let (fee, tx) = (vault_tx.fee, vault_tx.tx);
		// Another transaction (the workers' nonce taker or empty batch, or one made outside
		// the connection chain) took the nonce: the instruction can never land.
		let dead = |instruction| Observation::OutboundDead {
			instruction,
			proof: DeadProof::NonceConsumed { nonce: vault_tx.nonce, by_tx: tx.hash },
			fee,
		};
		let Some(transfer) = vault_tx.transfer else {
			outcomes.extend(batch.iter().map(|(id, _)| dead(*id)));
			continue;
		};
		let position = paid_of_nonce.entry(vault_tx.nonce).or_insert(0);
		let Some(&(id, instruction)) = batch.get(*position) else { continue };
		*position = position.saturating_add(1);
		outcomes.push(match &vault_tx.outcome {
			_ if transfer != (instruction.recipient, instruction.amount) => dead(id),
			Ok(()) => Observation::OutboundFinal { instruction: id, tx, fee },
			Err(reason) => {
				Observation::OutboundFailed { instruction: id, tx, reason: reason.clone(), fee }
			}
		});
	}
	let openings =
		scan.openings.iter().filter(|seen| open_by_nonce.contains_key(&seen.nonce)).map(|seen| {
			Observation::MultisigOpened { chain, nonce: seen.nonce, opening: seen.opening }
		});
	deposits.chain(outcomes).chain(openings).collect()
}

impl<T: Config> Pallet<T> {
	/// Reads the chain's final blocks from the cursor on, up to the final head `head`, and
	/// reports what each holds as soon as it is read; then the vault's state at the last
	/// checkpoint read. `open` are the chain's open instructions.
	pub(crate) fn watch<C: LinkedChainClient>(
		chain_id: ChainId,
		client: &C,
		head: &LinkedBlock,
		open: &[(InstructionId, InstructionOf<T>)],
		reports: &mut Reports<T>,
	) -> Result<(), WorkerError> {
		// A node that never watched this chain starts at its final head.
		let mut next = store::cursor(chain_id).unwrap_or(head.number);
		let last = head.number.min(next.saturating_add(MAX_BLOCKS_PER_PASS - 1));
		while next <= last {
			let scan = client.scan(next)?;
			if reports.can_report() {
				for observation in observations_from_scan(chain_id, &scan, open) {
					reports.send(observation);
				}
			}
			// Each block's observations go out as soon as it is read: a pass catching up on a
			// backlog would otherwise hold them all until its last block.
			reports.flush();
			// The block's reports are kept for sending again before the cursor moves past it.
			reports.save();
			next = next.saturating_add(1);
			store::set_cursor(chain_id, next);
		}

		let last_read = next.saturating_sub(1).min(head.number);
		let checkpoint = last_read / VAULT_STATE_EVERY * VAULT_STATE_EVERY;
		let reported = ObservedVaultState::<T>::get(chain_id).map(|s| s.at.number);
		if reports.can_report() && checkpoint > 0 && reported.is_none_or(|n| n < checkpoint) {
			let at = client.block_at(checkpoint)?;
			let snapshot = client.vault_state(&at)?;
			reports.send(Observation::VaultState { chain: chain_id, snapshot });
		}
		Ok(())
	}
}

//! The worker signs, sends, resends and proves dead the vault's transactions.

use super::*;

#[test]
fn a_payout_is_signed_once_with_its_nonce_and_only_ever_resent_as_the_same_bytes() {
	let mut world = world();
	let (_, payout, raw) = world.payout_due();
	// First run: signed with nonce 0 and sent.
	world.first_payout_run(&raw, true);
	// Nothing more to read from here on: the cursor is past the head.
	world.set_cursor(100);

	// Next runs, linked chain at the same height: nothing signed or sent again.
	for block in 3..5 {
		world.expect_head(12);
		world.expect_vault_nonce(12, 0);
		world.run(block);
	}

	// Eight linked blocks later and still not mined: the very same bytes go out again.
	world.expect_head(20);
	world.expect_vault_nonce(20, 0);
	world.expect_send(&raw);
	world.run(5);

	// Once the nonce is taken, the worker leaves it to the watcher.
	world.expect_head(30);
	world.expect_vault_nonce(30, 1);
	world.expect(
		"eth_getTransactionReceipt",
		&hex_param(&sp_io::hashing::keccak_256(&raw)),
		"null",
	);
	world.run(6);
	assert!(world.reports().is_empty());
	// Its one instruction is still open: the outcome comes from the watcher.
	world.ext.execute_with(|| assert_eq!(instruction(payout).status, OutboundStatus::Pending));
}

#[test]
fn vault_transactions_go_out_in_one_batch_each_answer_counts_alone_and_a_node_without_batches_gets_them_one_by_one(
) {
	let mut world = world();
	let vault_key = world.vault_key;
	let (payouts, raws): (Vec<InstructionId>, Vec<Vec<u8>>) = world.ext.execute_with(|| {
		with_operator();
		[("a", 0, 1), ("b", 1, 2), ("c", 2, 3)]
			.into_iter()
			.map(|(reference, nonce, deposit_tx)| {
				let id = request(SUB_TO_EVM, 1_000, reference);
				deposit(id, 1_000, deposit_tx);
				let payout = instruction_of(id, StepKind::Payout);
				assert_eq!(instruction(payout).nonce, nonce);
				(payout, vault_tx(&vault_key, nonce, RECIPIENT_EVM, 1_960))
			})
			.unzip()
	});
	let raws: Vec<&[u8]> = raws.iter().map(Vec::as_slice).collect();
	world.set_cursor(100);

	// One request carries the three payouts. The node took the first, knew the second
	// already, and the vault cannot pay the third one's fee.
	world.expect_head(12);
	world.expect_vault_nonce(12, 0);
	world.expect_signing();
	world.expect_batch(
		"eth_sendRawTransaction",
		&hex_params(&raws),
		&[
			r#""result":"0x01""#,
			r#""error":{"code":-32000,"message":"already known"}"#,
			r#""error":{"code":-32000,"message":"insufficient funds for gas * price + value"}"#,
		],
	);
	world.run(2);
	assert_eq!(world.reports(), vec![Observation::VaultCannotPayFees { instruction: payouts[2] }]);

	// At the same height, only the one the node did not take goes out again (alone: a plain
	// call).
	world.expect_head(12);
	world.expect_vault_nonce(12, 0);
	world.expect_send(raws[2]);
	world.run(3);

	// Eight linked blocks later none is mined: all three go again, the very same bytes. This
	// node refuses batches, so they go one by one.
	world.expect_head(20);
	world.expect_vault_nonce(20, 0);
	world.expect_request(
		batch_body("eth_sendRawTransaction", &hex_params(&raws)),
		r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32005,"message":"Batched requests are not supported by this server"}}"#,
	);
	for raw in &raws {
		world.expect_send(raw);
	}
	world.run(4);
	world.ext.execute_with(|| {
		for payout in &payouts {
			assert_eq!(instruction(*payout).status, OutboundStatus::Pending);
		}
	});
}

#[test]
fn vault_transactions_in_a_final_block_become_final_failed_or_dead_reports() {
	new_test_ext().execute_with(|| {
		with_operator();
		let id = request(SUB_TO_EVM, 1_000, "a");
		deposit(id, 1_000, 1);
		let payout = instruction_of(id, StepKind::Payout);
		let open = ConnectionChain::open_instructions(EVM);
		let block = LinkedBlock { number: 9, hash: H256::repeat_byte(9) };
		let tx = LinkedTx { hash: H256::repeat_byte(1), block };
		let scan = |transfer, outcome| BlockScan {
			block,
			deposits: vec![],
			vault_txs: vec![VaultTx { tx, nonce: 0, transfer, outcome, fee: 21 }],
			openings: vec![],
		};
		let pays = Some((LinkedAccount::Evm(RECIPIENT_EVM), 1_960));
		assert_eq!(
			observations_from_scan(EVM, &scan(pays, Ok(())), &open),
			vec![Observation::OutboundFinal { instruction: payout, tx, fee: 21 }]
		);
		assert_eq!(
			observations_from_scan(EVM, &scan(pays, Err(FailureReason::Reverted)), &open),
			vec![Observation::OutboundFailed {
				instruction: payout,
				tx,
				reason: FailureReason::Reverted,
				fee: 21
			}]
		);
		// The nonce taker (nothing to the vault itself) proves the payout dead, and the
		// transfer is refunded.
		let taker = Some((LinkedAccount::Evm(EVM_VAULT), 0));
		let dead = observations_from_scan(EVM, &scan(taker, Ok(())), &open);
		assert_eq!(
			dead,
			vec![Observation::OutboundDead {
				instruction: payout,
				proof: DeadProof::NonceConsumed { nonce: 0, by_tx: tx.hash },
				fee: 21
			}]
		);
		report_all(dead[0].clone());
		assert_eq!(transfer(id).state, TransferState::Refunding);
		// A vault transaction with a nonce no open instruction has is nobody's report.
		let mut other = scan(pays, Ok(()));
		other.vault_txs[0].nonce = 7;
		assert!(observations_from_scan(EVM, &other, &ConnectionChain::open_instructions(EVM))
			.is_empty());
		check_invariants();
	});
}

#[test]
fn a_reverted_payout_is_reported_failed_with_its_fee_and_the_deposit_refunded() {
	let mut world = world();
	let (id, payout, raw) = world.payout_due();
	world.first_payout_run(&raw, true);

	// Mined in block 11, reverted (a recipient whose code refuses ETH).
	let mut reverted = MinedTx::vault(&world, &raw, 0, RECIPIENT_EVM, 1_960);
	reverted.succeeded = false;
	let hash = reverted.hash;
	world.expect_head(13);
	world.expect_block(11, &[reverted]);
	world.expect_vault_nonce(13, 1);
	world.expect_receipt(hash, 11);
	world.run(3);
	let failed = Observation::OutboundFailed {
		instruction: payout,
		tx: mined(11, hash),
		reason: FailureReason::Reverted,
		fee: VAULT_TX_FEE,
	};
	assert_eq!(world.include_reports(), vec![failed]);
	world.ext.execute_with(|| {
		let record = transfer(id);
		assert_eq!(record.state, TransferState::Refunding);
		let step = record.trail.iter().find(|step| step.kind == StepKind::Payout).unwrap();
		assert_eq!(step.result, StepResult::Failed(FailureReason::Reverted));
		assert_eq!(step.tx_hash, Some(H256(hash)));
		let refund = instruction(instruction_of(id, StepKind::Refund));
		assert_eq!(
			(refund.chain, refund.recipient),
			(SUBSTRATE, LinkedAccount::Substrate(SENDER_SUB))
		);
		assert_eq!(refund.amount, 1_000);
		// The gas the reverted payout burnt came out of the operator's liquidity.
		assert_eq!(liquidity(EVM).total_fees, VAULT_TX_FEE);
		check_invariants();
	});
}

#[test]
fn a_payout_past_its_deadline_is_proven_dead_by_a_nonce_taker_and_refunded() {
	let mut world = world();
	let vault_key = world.vault_key;
	let (id, payout, raw) = world.payout_due();
	let (taker, deadline) =
		world.ext.execute_with(|| (taker_tx(&vault_key, 0), transfer(id).payout_deadline.unwrap()));
	world.first_payout_run(&raw, true);

	// The payout is never mined. At its deadline the pallet asks to cancel it, and the worker
	// takes its nonce with a transaction that moves nothing, bidding above the payout.
	world.expect_head(12);
	world.expect_vault_nonce(12, 0);
	world.expect_signing();
	world.expect_send(&taker);
	world.run(deadline);
	world.ext.execute_with(|| {
		assert!(instruction(payout).cancel_requested);
		assert_eq!(transfer(id).state, TransferState::PayingOut);
	});

	// The taker is mined in block 11: the payout can never land, and that is the proof.
	let taker_hash = sp_io::hashing::keccak_256(&taker);
	world.expect_head(13);
	world.expect_block(11, &[MinedTx::vault(&world, &taker, 0, world.vault, 0)]);
	world.expect_vault_nonce(13, 1);
	world.run(deadline + 1);
	let dead = Observation::OutboundDead {
		instruction: payout,
		proof: DeadProof::NonceConsumed { nonce: 0, by_tx: H256(taker_hash) },
		fee: VAULT_TX_FEE,
	};
	assert_eq!(world.include_reports(), vec![dead]);
	world.ext.execute_with(|| {
		assert_eq!(transfer(id).state, TransferState::Refunding);
		assert_eq!(instruction(instruction_of(id, StepKind::Refund)).amount, 1_000);
		check_invariants();
	});
}

#[test]
fn a_failing_endpoint_is_backed_off_and_the_next_run_resumes_at_the_unread_block() {
	let mut world = world();
	let (first, second) = world.ext.execute_with(|| {
		with_operator();
		(request(EVM_TO_SUB, 1_000, "a"), request(EVM_TO_SUB, 1_000, "b"))
	});
	world.set_cursor(10);
	// Block 10 is read, then the endpoint goes down while block 11 is fetched.
	world.expect_head(13);
	world.expect_block(10, &[MinedTx::deposit(&world, SENDER_EVM, 1_000, memo_of(first), 0xD1)]);
	world.expect_down("eth_getBlockByNumber", "[\"0xb\",true]");
	world.run(2);
	assert_eq!(world.reports().len(), 1, "what was read before the failure is reported");

	// Backed off for 2 blocks: no call at block 3 (any would fail the test). Still down at
	// block 4: backed off for 4 more.
	world.run(3);
	world.expect_down("eth_blockNumber", "[]");
	world.run(4);
	for block in 5..8 {
		world.run(block);
	}
	// Up again at block 8: the watcher goes on at block 11, not reading block 10 again.
	world.expect_head(13);
	world.expect_block(11, &[MinedTx::deposit(&world, SENDER_EVM, 1_000, memo_of(second), 0xD2)]);
	world.run(8);
	// And the back-off is over: the next block calls again.
	world.expect_head(13);
	world.run(9);
	assert_eq!(world.include_reports().len(), 2);
	world.ext.execute_with(|| {
		assert_eq!(System::block_number(), 9, "the chain went on all along");
		assert_eq!(transfer(first).state, TransferState::PayingOut);
		assert_eq!(transfer(second).state, TransferState::PayingOut);
		check_invariants();
	});
}

#[test]
fn a_payout_recorded_but_not_sent_is_sent_as_the_same_bytes_at_the_next_run() {
	let mut world = world();
	let (_, _, raw) = world.payout_due();
	// Signed and recorded, then the endpoint fails as it is sent: the same state as a node
	// stopped between recording and sending.
	world.first_payout_run(&raw, false);
	// After the back-off, the recorded transaction is sent as it is: nothing is signed again
	// (no chain id or gas price read).
	world.expect_head(12);
	world.expect_vault_nonce(12, 0);
	world.expect_send(&raw);
	world.run(4);
	// Sent: not again until REBROADCAST_AFTER linked blocks pass.
	world.expect_head(12);
	world.expect_vault_nonce(12, 0);
	world.run(5);
}

#[test]
fn a_run_that_starts_after_a_newer_blocks_run_leaves_the_chain_alone() {
	let mut world = world();
	let (_, payout, raw) = world.payout_due();
	// Block 2's run signs, records and sends the payout.
	world.first_payout_run(&raw, true);
	// Block 1's run starts only now, its node having been busy. Its state may lack
	// instructions block 2's run sent: it makes no call (any would fail the test), so it reads
	// no block past their outcomes and forgets no record.
	world.ext.execute_with(|| ConnectionChain::run_offchain_worker(1));
	assert!(world.stored(&format!("sent/{payout}")).is_some(), "the payout's record is kept");
	let cursor = world.stored("cursor/1");
	assert_eq!(cursor, Some(codec::Encode::encode(&11u64)), "no block was read");
	// Block 3's run goes on: the payout's nonce is taken, so where it is gets looked up.
	world.expect_inclusion_lookup(&raw, 12);
	world.run(3);
}

#[test]
fn an_inclusion_is_reported_only_where_finality_is_far() {
	let mut world = world();
	let (id, payout, raw) = world.payout_due();
	world.first_payout_run(&raw, true);
	let hash = sp_io::hashing::keccak_256(&raw);
	// Mined in block 19 while block 10 is final (19 > 10 + FINALITY_NEAR_BLOCKS): reported,
	// and the trail shows where the payout is while it waits.
	world.expect_inclusion_lookup(&raw, 19);
	world.run(3);
	let included = Observation::OutboundIncluded { instruction: payout, tx: mined(19, hash) };
	assert_eq!(world.reports(), vec![included]);
	assert_eq!(world.include_reports().len(), 1);
	world.ext.execute_with(|| {
		let trail = transfer(id).trail;
		let payout_step = trail.iter().find(|step| step.kind == StepKind::Payout).unwrap();
		assert_eq!(payout_step.result, StepResult::Submitted);
		assert_eq!(payout_step.tx_hash, Some(H256(hash)));
	});
	// Looked up once: the next run reads only the head.
	world.expect_head(12);
	world.run(4);
	assert!(world.reports().is_empty());
}

#[test]
fn a_run_keeps_watching_through_its_poll_window_and_looks_up_an_inclusion_once() {
	let mut world = world();
	let (_, payout, raw) = world.payout_due();
	world.first_payout_run(&raw, true);
	let hash = sp_io::hashing::keccak_256(&raw);

	// Block 3 has timestamp 6,000 ms; with a 1,000 ms window the run makes passes at 6,000,
	// 6,250, 6,500 and 6,750 ms. The payout is mined in block 12, which becomes final (two
	// confirmations) during the third pass: its outcome is reported in this one run.
	WorkerPollWindow::set(1_000);
	world.http.write().timestamp = sp_core::offchain::Timestamp::from_unix_millis(6_000);
	// Pass 1: nothing new is final; the payout's nonce is taken, so where it is gets looked up:
	// in block 12, two blocks past the final head, so it is not reported (the outcome follows).
	world.expect_inclusion_lookup(&raw, 12);
	// Passes 2 to 4: the payout was found in a block, so neither the vault's nonce nor the
	// inclusion is read again; the watcher reads block 11, then block 12 with the payout.
	world.expect_head(13);
	world.expect_block(11, &[]);
	world.expect_head(14);
	world.expect_block(12, &[MinedTx::vault(&world, &raw, 0, RECIPIENT_EVM, 1_960)]);
	world.expect_head(14);
	world.run(3);
	assert_eq!(
		world.http.read().timestamp.unix_millis(),
		6_750,
		"four passes, then the window ends"
	);
	assert_eq!(
		world.reports(),
		vec![Observation::OutboundFinal {
			instruction: payout,
			tx: mined(12, hash),
			fee: VAULT_TX_FEE
		}]
	);

	// The next block's run (window 0 again): still nothing to read but the head.
	WorkerPollWindow::set(0);
	world.expect_head(14);
	world.run(4);
	assert_eq!(world.reports().len(), 1, "nothing sent again");
}

//! The worker reports what it reads, once, and sends again what was lost.

use super::*;

#[test]
fn a_deposit_in_a_final_block_is_reported_once_and_a_lost_report_is_sent_again() {
	let mut world = world();
	let id = world.ext.execute_with(|| {
		with_operator();
		request(EVM_TO_SUB, 1_000, "a")
	});
	world.set_cursor(10);
	world.expect_head(12);
	world.expect_block(10, &[MinedTx::deposit(&world, SENDER_EVM, 1_000, memo_of(id), 0xD1)]);
	world.run(2);
	let seen = Observation::Deposit {
		chain: EVM,
		tx: mined(10, [0xD1; 32]),
		from: LinkedAccount::Evm(SENDER_EVM),
		amount: 1_000,
		reference: DepositReference::Transfer(id),
	};
	assert_eq!(world.reports(), vec![seen.clone()]);

	// The report never makes it into a block (the pool dropped it). The next runs read no
	// block twice, and after REPORT_RETRY_AFTER blocks the report goes out again.
	world.pool.write().transactions.clear();
	for block in 3..2 + crate::offchain::REPORT_RETRY_AFTER {
		world.expect_head(12);
		world.run(block);
		assert!(world.reports().is_empty(), "nothing new at block {block}");
	}
	world.expect_head(12);
	world.run(2 + crate::offchain::REPORT_RETRY_AFTER);
	assert_eq!(world.include_reports(), vec![seen]);
	world.ext.execute_with(|| {
		let record = transfer(id);
		assert_eq!((record.state, record.hold), (TransferState::PayingOut, HoldState::Held));
		let step = record.trail.iter().find(|step| step.kind == StepKind::Deposit).unwrap();
		assert_eq!(step.tx_hash, Some(H256([0xD1; 32])));
		assert_eq!(step.block, Some(mined(10, [0xD1; 32]).block));
		assert_eq!(ledger(EVM).held, 1_000);
		check_invariants();
	});
}

#[test]
fn each_final_block_read_is_reported_before_the_next_one_is_read() {
	let mut world = world();
	let ids = world.ext.execute_with(|| {
		with_operator();
		[request(EVM_TO_SUB, 1_000, "a"), request(EVM_TO_SUB, 1_000, "b")]
	});
	// One pass reads blocks 10 and 11, a deposit in each.
	world.set_cursor(10);
	world.expect_head(13);
	world.expect_block(10, &[MinedTx::deposit(&world, SENDER_EVM, 1_000, memo_of(ids[0]), 0xD1)]);
	world.expect_block(11, &[MinedTx::deposit(&world, SENDER_EVM, 1_000, memo_of(ids[1]), 0xD2)]);
	world.run(2);
	let seen = |id, number, seed| Observation::Deposit {
		chain: EVM,
		tx: mined(number, [seed; 32]),
		from: LinkedAccount::Evm(SENDER_EVM),
		amount: 1_000,
		reference: DepositReference::Transfer(id),
	};
	// A report per block: the first went to the pool before the second block was read.
	assert_eq!(
		world.reports_one_by_one(),
		vec![vec![seen(ids[0], 10, 0xD1)], vec![seen(ids[1], 11, 0xD2)]]
	);
}

#[test]
fn overlapping_runs_keep_each_others_reports_for_sending_again() {
	let mut world = world();
	let (first, second) = world.ext.execute_with(|| {
		with_operator();
		let deposit_for = |id, hash| Observation::Deposit {
			chain: EVM,
			tx: mined(10, [hash; 32]),
			from: LinkedAccount::Evm(SENDER_EVM),
			amount: 1_000,
			reference: DepositReference::Transfer(id),
		};
		let first = deposit_for(request(EVM_TO_SUB, 1_000, "a"), 0xD1);
		let second = deposit_for(request(EVM_TO_SUB, 1_000, "b"), 0xD2);
		// Two runs at once: both read the stored reports before either writes them back, each
		// reports one deposit, and the later one saves last.
		let mut earlier = Reports::<Test>::load(2);
		let mut later = Reports::<Test>::load(2);
		earlier.send(first.clone());
		earlier.flush();
		earlier.save();
		later.send(second.clone());
		later.flush();
		later.save();
		(first, second)
	});
	assert_eq!(world.reports(), vec![first.clone(), second.clone()]);

	// Both reports are lost from the pool: both go out again once due.
	world.pool.write().transactions.clear();
	world.ext.execute_with(|| {
		let mut retry = Reports::<Test>::load(2 + crate::offchain::REPORT_RETRY_AFTER);
		retry.resend_stale();
		retry.save();
	});
	let mut resent = world.reports();
	resent.sort_by_key(|observation| match observation {
		Observation::Deposit { tx, .. } => tx.hash,
		other => panic!("not a deposit: {other:?}"),
	});
	assert_eq!(resent, vec![first, second]);
}

#[test]
fn deposits_of_a_wrong_amount_or_naming_no_transfer_are_sent_back_by_the_worker() {
	let mut world = world();
	let vault_key = world.vault_key;
	let id = world.ext.execute_with(|| {
		with_operator();
		request(EVM_TO_SUB, 1_000, "a")
	});
	world.set_cursor(10);
	world.expect_head(12);
	world.expect_block(
		10,
		&[
			MinedTx::deposit(&world, SENDER_EVM, 999, memo_of(id), 0xD1),
			MinedTx::deposit(&world, STRANGER_EVM, 500, vec![], 0xD2),
		],
	);
	world.run(2);
	let reported = world.include_reports();
	assert_eq!(reported.len(), 2);
	let (returns, raws) = world.ext.execute_with(|| {
		// The transfer still waits for its deposit; both deposits are owed back.
		assert_eq!(transfer(id).state, TransferState::AwaitingDeposit);
		let rejections: Vec<_> = events()
			.into_iter()
			.filter_map(|event| match event {
				crate::Event::DepositRejected { from, amount, reason, instruction, .. } => {
					Some((from, amount, reason, instruction))
				}
				_ => None,
			})
			.collect();
		assert_eq!(
			rejections
				.iter()
				.map(|(from, amount, reason, _)| (*from, *amount, *reason))
				.collect::<Vec<_>>(),
			vec![
				(LinkedAccount::Evm(SENDER_EVM), 999, DepositRejection::WrongAmount),
				(LinkedAccount::Evm(STRANGER_EVM), 500, DepositRejection::UnknownReference),
			]
		);
		let returns: Vec<InstructionId> = rejections.iter().map(|r| r.3).collect();
		assert_eq!(instruction(returns[0]).nonce, 0);
		assert_eq!(instruction(returns[1]).nonce, 1);
		let raws =
			[vault_tx(&vault_key, 0, SENDER_EVM, 999), vault_tx(&vault_key, 1, STRANGER_EVM, 500)];
		(returns, raws)
	});

	// The next run sends both back, each with its own nonce; the chain id and gas price are
	// read once for the run.
	world.expect_head(13);
	world.expect_block(11, &[]);
	world.expect_vault_nonce(13, 0);
	world.expect_signing();
	world.expect_batch(
		"eth_sendRawTransaction",
		&hex_params(&[&raws[0], &raws[1]]),
		&[r#""result":"0x01""#; 2],
	);
	world.run(3);

	// Both are mined in block 12. Once it is final, the watcher reports them final; the
	// settler finds where they were included but does not report it, the block being final.
	world.expect_head(14);
	world.expect_block(
		12,
		&[
			MinedTx::vault(&world, &raws[0], 0, SENDER_EVM, 999),
			MinedTx::vault(&world, &raws[1], 1, STRANGER_EVM, 500),
		],
	);
	world.expect_vault_nonce(14, 2);
	let hashes = raws.clone().map(|raw| sp_io::hashing::keccak_256(&raw));
	let receipt = format!(r#""result":{}"#, receipt_in(12));
	world.expect_batch(
		"eth_getTransactionReceipt",
		&hex_params(&[&hashes[0], &hashes[1]]),
		&[&receipt, &receipt],
	);
	world.run(4);
	// The watcher's two outcomes, in one report.
	assert_eq!(world.reports().len(), 2);
	assert_eq!(world.pool.read().transactions.len(), 1);
	assert_eq!(
		world.include_reports(),
		vec![
			Observation::OutboundFinal {
				instruction: returns[0],
				tx: mined(12, hashes[0]),
				fee: VAULT_TX_FEE
			},
			Observation::OutboundFinal {
				instruction: returns[1],
				tx: mined(12, hashes[1]),
				fee: VAULT_TX_FEE
			},
		]
	);
	world.ext.execute_with(|| {
		for &id in &returns {
			assert_eq!(instruction(id).status, OutboundStatus::Final);
		}
		assert!(ConnectionChain::open_instructions(EVM).is_empty());
		// Nobody's liquidity pays for returning a stray deposit: the fees stay unpaid.
		assert_eq!(ledger(EVM).unpaid_fees, 2 * VAULT_TX_FEE);
		check_invariants();
	});
	// The worker listed both records (once, in the pass that signed them) and forgets them at
	// its next run, their instructions being closed.
	let listed = format!("sent-ids/{EVM}");
	assert_eq!(world.stored(&listed), Some(codec::Encode::encode(&returns)));
	assert!(returns.iter().all(|id| world.stored(&format!("sent/{id}")).is_some()));
	world.expect_head(14);
	world.run(5);
	assert_eq!(world.stored(&listed), Some(codec::Encode::encode(&Vec::<InstructionId>::new())));
	assert!(returns.iter().all(|id| world.stored(&format!("sent/{id}")).is_none()));
}

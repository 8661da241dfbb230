//! Tests of the pallet, by area. Each test ends by checking every storage invariant.

mod attestations;
mod chains;
mod custody;
mod ledger;
mod lifecycle;
mod opened_by_deposit;
mod operators;
mod randomized;
mod rules;
mod vault;
mod worker;

use crate::{mock::*, types::*, Error, Outbound, Transfers};
use frame_support::{assert_noop, assert_ok};

/// A request by `REQUESTER` under `rule` from the standard sender/recipient of its direction.
pub fn try_request(
	rule: RuleId,
	amount: LinkedAmount,
	reference_text: &str,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	let (sender, recipient) = accounts_for(rule);
	ConnectionChain::request_transfer(
		RuntimeOrigin::signed(REQUESTER),
		rule,
		amount,
		sender,
		recipient,
		0,
		reference(reference_text),
	)
}

/// A request that succeeds (see [`try_request`]); returns its transfer id.
pub fn request(rule: RuleId, amount: LinkedAmount, reference_text: &str) -> TransferId {
	let id = crate::NextTransferId::<Test>::get();
	assert_ok!(try_request(rule, amount, reference_text));
	id
}

pub fn accounts_for(rule: RuleId) -> (Vec<u8>, Vec<u8>) {
	if rule == SUB_TO_EVM {
		(SENDER_SUB.to_vec(), RECIPIENT_EVM.to_vec())
	} else {
		(SENDER_EVM.to_vec(), RECIPIENT_SUB.to_vec())
	}
}

pub fn transfer(id: TransferId) -> crate::TransferOf<Test> {
	Transfers::<Test>::get(id).expect("transfer exists")
}

/// Reports the transfer's deposit from its declared sender, with the given amount.
pub fn deposit(id: TransferId, amount: LinkedAmount, tx: u8) {
	let t = transfer(id);
	report_all(Observation::Deposit {
		chain: t.source.chain,
		tx: linked_tx(tx),
		from: t.source.account,
		amount,
		reference: DepositReference::Transfer(id),
	});
}

/// The instruction of the transfer's latest trail step of `kind`.
pub fn instruction_of(id: TransferId, kind: StepKind) -> InstructionId {
	transfer(id)
		.trail
		.iter()
		.rev()
		.find(|step| step.kind == kind)
		.and_then(|step| step.instruction)
		.expect("step with an instruction")
}

pub fn instruction(id: InstructionId) -> crate::InstructionOf<Test> {
	Outbound::<Test>::get(id).expect("instruction exists")
}

pub fn include(instruction: InstructionId, tx: u8) {
	report_all(Observation::OutboundIncluded { instruction, tx: linked_tx(tx) });
}

pub fn finalize(instruction: InstructionId, tx: u8) {
	report_all(Observation::OutboundFinal { instruction, tx: linked_tx(tx), fee: 0 });
}

pub fn fail(instruction: InstructionId, tx: u8) {
	report_all(Observation::OutboundFailed {
		instruction,
		tx: linked_tx(tx),
		reason: FailureReason::Reverted,
		fee: 0,
	});
}

pub fn ledger(chain: ChainId) -> VaultLedger {
	crate::VaultLedgers::<Test>::get(chain)
}

pub fn liquidity(chain: ChainId) -> Liquidity {
	crate::OperatorLiquidity::<Test>::get(OPERATOR, chain)
}

pub fn check_invariants() {
	ConnectionChain::do_try_state().expect("invariants hold");
}

pub fn trail_kinds(id: TransferId) -> Vec<(StepKind, StepResult)> {
	transfer(id).trail.iter().map(|step| (step.kind, step.result.clone())).collect()
}

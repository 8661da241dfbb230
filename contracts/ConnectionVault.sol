// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

/// @title The connection chain's vault on an EVM chain.
/// @notice Holds ETH and ERC-20 tokens for the connection chain. Deposits are calls that carry
/// a memo and emit `Deposited`, so a deposit from a contract (a smart wallet, a Safe, an
/// ERC-4337 account) is seen exactly like one from a plain account. The vault pays out only a
/// batch signed by at least `threshold` of its current signers (the connection chain's
/// validators) over an EIP-712 digest that binds the chain id, this contract, the vault's next
/// nonce and every payment of the batch; its signer set changes only on a rotation signed by
/// the current set. No single key can move anything.
contract ConnectionVault is EIP712, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// One transfer out of the vault: `amount` of `token` (the zero address for ETH) to `to`.
    struct Payment {
        address token;
        address to;
        uint256 amount;
    }

    bytes32 public constant PAYMENT_TYPEHASH = keccak256("Payment(address token,address to,uint256 amount)");
    bytes32 public constant BATCH_TYPEHASH =
        keccak256("Batch(uint256 nonce,Payment[] payments)Payment(address token,address to,uint256 amount)");
    bytes32 public constant ROTATION_TYPEHASH =
        keccak256("Rotation(uint256 nonce,address[] signers,uint256 threshold)");

    /// Gas an ETH payment may use at its recipient: enough for a smart wallet's receive, not
    /// for work that could make a batch run out of gas.
    uint256 public constant PAYMENT_GAS = 50_000;

    /// The current signers, in ascending order.
    address[] private signerList;
    mapping(address => bool) public isSigner;
    /// Signatures a batch or rotation needs.
    uint256 public threshold;
    /// The nonce the next batch or rotation must carry: each is executed once, in order.
    uint256 public nonce;

    /// A deposit: `amount` of `token` (zero for ETH) from `sender`, with its memo.
    event Deposited(address indexed sender, address indexed token, uint256 amount, bytes memo);
    /// ETH sent without a call, which names nothing: it went back to `sender`.
    event Returned(address indexed sender, uint256 amount);
    /// A payment of the batch `nonce`, at `index`, and whether it went through (a failed one
    /// leaves its amount in the vault).
    event Paid(uint256 indexed nonce, uint256 index, address token, address to, uint256 amount, bool success);
    /// The batch `nonce` was executed.
    event BatchExecuted(uint256 indexed nonce, uint256 payments);
    /// The signer set changed at `nonce`.
    event SignersRotated(uint256 indexed nonce, address[] signers, uint256 threshold);

    error BadSignerSet();
    error WrongNonce(uint256 expected, uint256 given);
    error NotEnoughSignatures(uint256 needed, uint256 given);
    error SignaturesNotOrdered();
    error NotASigner(address recovered);
    error ZeroDeposit();
    error ReturnFailed();

    constructor(address[] memory signers_, uint256 threshold_) EIP712("ConnectionVault", "1") {
        _setSigners(signers_, threshold_);
    }

    /// The current signers, in ascending order.
    function signers() external view returns (address[] memory) {
        return signerList;
    }

    /// Deposits the ETH sent, for what `memo` names.
    function deposit(bytes calldata memo) external payable {
        if (msg.value == 0) revert ZeroDeposit();
        emit Deposited(msg.sender, address(0), msg.value, memo);
    }

    /// Deposits `amount` of `token` (approved to this vault first), for what `memo` names. What
    /// reached the vault is what counts (a token that takes a fee on transfer delivers less).
    function depositToken(IERC20 token, uint256 amount, bytes calldata memo) external nonReentrant {
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received == 0) revert ZeroDeposit();
        emit Deposited(msg.sender, address(token), received, memo);
    }

    /// ETH sent without a call names nothing: it is recorded and sent back at once.
    receive() external payable nonReentrant {
        emit Returned(msg.sender, msg.value);
        (bool sent,) = payable(msg.sender).call{value: msg.value}("");
        if (!sent) revert ReturnFailed();
    }

    /// The EIP-712 digest the signers sign for the batch `batchNonce` of `payments`.
    function batchDigest(uint256 batchNonce, Payment[] calldata payments) public view returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](payments.length);
        for (uint256 i = 0; i < payments.length; i++) {
            Payment calldata p = payments[i];
            hashes[i] = keccak256(abi.encode(PAYMENT_TYPEHASH, p.token, p.to, p.amount));
        }
        return _hashTypedDataV4(
            keccak256(abi.encode(BATCH_TYPEHASH, batchNonce, keccak256(abi.encodePacked(hashes))))
        );
    }

    /// The EIP-712 digest the current signers sign to hand the vault to `newSigners`.
    function rotationDigest(uint256 rotationNonce, address[] calldata newSigners, uint256 newThreshold)
        public
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(
            keccak256(abi.encode(ROTATION_TYPEHASH, rotationNonce, keccak256(abi.encodePacked(newSigners)), newThreshold))
        );
    }

    /// Pays the batch `batchNonce` (the vault's next nonce), signed by at least `threshold`
    /// current signers (`signatures` ordered by signer address). Each payment that fails (a
    /// recipient that refuses ETH, a token that refuses the transfer) leaves its amount in the
    /// vault and says so in `Paid`; the others go through.
    function execute(uint256 batchNonce, Payment[] calldata payments, bytes[] calldata signatures)
        external
        nonReentrant
    {
        _useNonce(batchNonce);
        _checkSignatures(batchDigest(batchNonce, payments), signatures);
        for (uint256 i = 0; i < payments.length; i++) {
            Payment calldata p = payments[i];
            bool success;
            if (p.token == address(0)) {
                (success,) = payable(p.to).call{value: p.amount, gas: PAYMENT_GAS}("");
            } else {
                success = IERC20(p.token).trySafeTransfer(p.to, p.amount);
            }
            emit Paid(batchNonce, i, p.token, p.to, p.amount, success);
        }
        emit BatchExecuted(batchNonce, payments.length);
    }

    /// Hands the vault to `newSigners` with `newThreshold`, on a rotation signed by at least
    /// `threshold` of the current signers. It takes the vault's next nonce like a batch.
    function rotate(uint256 rotationNonce, address[] calldata newSigners, uint256 newThreshold, bytes[] calldata signatures)
        external
    {
        _useNonce(rotationNonce);
        _checkSignatures(rotationDigest(rotationNonce, newSigners, newThreshold), signatures);
        _setSigners(newSigners, newThreshold);
        emit SignersRotated(rotationNonce, newSigners, newThreshold);
    }

    function _useNonce(uint256 given) private {
        if (given != nonce) revert WrongNonce(nonce, given);
        nonce = given + 1;
    }

    /// At least `threshold` signatures of `digest` by distinct current signers, in ascending
    /// order of their addresses (which makes a repeated signer visible at once).
    function _checkSignatures(bytes32 digest, bytes[] calldata signatures) private view {
        if (signatures.length < threshold) revert NotEnoughSignatures(threshold, signatures.length);
        address previous = address(0);
        for (uint256 i = 0; i < signatures.length; i++) {
            address recovered = ECDSA.recover(digest, signatures[i]);
            if (!isSigner[recovered]) revert NotASigner(recovered);
            if (recovered <= previous) revert SignaturesNotOrdered();
            previous = recovered;
        }
    }

    /// Sets the signers (distinct, in ascending order, none zero) and a threshold of at least a
    /// majority of them and at most all.
    function _setSigners(address[] memory newSigners, uint256 newThreshold) private {
        uint256 count = newSigners.length;
        if (count == 0 || newThreshold > count || newThreshold * 2 <= count) revert BadSignerSet();
        for (uint256 i = 0; i < signerList.length; i++) {
            isSigner[signerList[i]] = false;
        }
        address previous = address(0);
        for (uint256 i = 0; i < count; i++) {
            if (newSigners[i] <= previous) revert BadSignerSet();
            isSigner[newSigners[i]] = true;
            previous = newSigners[i];
        }
        signerList = newSigners;
        threshold = newThreshold;
    }
}

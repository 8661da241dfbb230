// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// A smart-wallet-style forwarder for the tests: whoever calls it makes it call `target` with
/// `data` and the ETH sent, so the target sees the forwarder, not the caller, as its sender.
contract Forwarder {
    error CallFailed(bytes reason);

    function forward(address target, bytes calldata data) external payable returns (bytes memory) {
        (bool success, bytes memory result) = target.call{value: msg.value}(data);
        if (!success) revert CallFailed(result);
        return result;
    }

    /// Takes ETH sent back to it.
    receive() external payable {}
}

//! A small JSON-RPC 2.0 client over the off-chain worker's HTTP API.
//!
//! Every call has a deadline, so an endpoint that hangs costs the worker at most
//! [`CALL_DEADLINE_MS`] per call and never stalls the node. Request bodies are built byte for
//! byte the same way each time (fixed `id`, fixed key order), so tests can expect them exactly.

use alloc::{format, string::String, vec::Vec};
use serde_json::Value;
use sp_runtime::offchain::{http, Duration};

/// How long one call may take, from sending the request to reading the whole response.
pub const CALL_DEADLINE_MS: u64 = 5_000;

/// Why a call gave no result.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum RpcError {
	/// The endpoint could not be reached or did not answer in time.
	Unreachable,
	/// It answered with an HTTP status other than 200.
	HttpStatus(u16),
	/// The answer is not a JSON-RPC response.
	Malformed,
	/// A JSON-RPC error object: the node refused the call.
	Refused {
		/// The JSON-RPC error code.
		code: i64,
		/// The error message.
		message: String,
	},
	/// The result is there but not of the expected shape.
	UnexpectedResult(&'static str),
}

/// A JSON-RPC endpoint.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Endpoint {
	/// The HTTP URL, e.g. `http://127.0.0.1:8545`.
	pub url: String,
}

/// The exact body of a call: `params` is the JSON text of the parameter array.
pub fn request_body(method: &str, params: &str) -> String {
	format!(r#"{{"jsonrpc":"2.0","id":1,"method":"{method}","params":{params}}}"#)
}

/// Reads the result out of a JSON-RPC response body.
pub fn parse_response(body: &[u8]) -> Result<Value, RpcError> {
	let mut response: Value = serde_json::from_slice(body).map_err(|_| RpcError::Malformed)?;
	if let Some(error) = response.get("error") {
		let mut message: String =
			error.get("message").and_then(Value::as_str).unwrap_or_default().into();
		// Substrate nodes say why in `data` ("Invalid Transaction" / "Transaction is outdated").
		if let Some(data) = error.get("data").and_then(Value::as_str) {
			message = format!("{message}: {data}");
		}
		return Err(RpcError::Refused {
			code: error.get("code").and_then(Value::as_i64).unwrap_or_default(),
			message,
		});
	}
	response.get_mut("result").map(Value::take).ok_or(RpcError::Malformed)
}

impl Endpoint {
	/// Calls `method` with `params` (the JSON text of the parameter array).
	pub fn call(&self, method: &str, params: &str) -> Result<Value, RpcError> {
		let body = request_body(method, params);
		let deadline = sp_io::offchain::timestamp().add(Duration::from_millis(CALL_DEADLINE_MS));
		let pending = http::Request::post(&self.url, [body.as_bytes()])
			.add_header("Content-Type", "application/json")
			.deadline(deadline)
			.send()
			.map_err(|_| RpcError::Unreachable)?;
		let response = pending
			.try_wait(deadline)
			.map_err(|_| RpcError::Unreachable)?
			.map_err(|_| RpcError::Unreachable)?;
		if response.code != 200 {
			return Err(RpcError::HttpStatus(response.code));
		}
		let body: Vec<u8> = response.body().collect();
		parse_response(&body)
	}
}

/// `0x`-prefixed lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
	let mut out = String::with_capacity(2 + bytes.len() * 2);
	out.push_str("0x");
	for byte in bytes {
		out.push_str(&format!("{byte:02x}"));
	}
	out
}

/// Bytes of `0x`-prefixed hex (an odd number of digits is read as if led by a zero).
pub fn unhex(text: &str) -> Option<Vec<u8>> {
	let digits = text.strip_prefix("0x")?;
	let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
	let bytes = digits.as_bytes();
	let (head, rest) = bytes.split_at(bytes.len() % 2);
	let mut out = Vec::with_capacity(bytes.len() / 2 + 1);
	if let Some(&first) = head.first() {
		out.push(digit(first)?);
	}
	for pair in rest.chunks(2) {
		out.push(digit(pair[0])? << 4 | digit(pair[1])?);
	}
	Some(out)
}

/// A `0x`-prefixed hex quantity (as Ethereum writes numbers) that fits in a `u128`.
pub fn quantity(value: &Value) -> Option<u128> {
	let digits = value.as_str()?.strip_prefix("0x")?;
	if digits.is_empty() || digits.len() > 32 {
		return None;
	}
	u128::from_str_radix(digits, 16).ok()
}

/// A `0x`-prefixed hex string of exactly `N` bytes.
pub fn fixed_bytes<const N: usize>(value: &Value) -> Option<[u8; N]> {
	unhex(value.as_str()?)?.try_into().ok()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn bodies_are_byte_exact_and_results_and_errors_are_read() {
		assert_eq!(
			request_body("eth_blockNumber", "[]"),
			r#"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}"#
		);
		assert_eq!(
			parse_response(br#"{"jsonrpc":"2.0","id":1,"result":"0x10"}"#),
			Ok(Value::String("0x10".into()))
		);
		assert_eq!(
			parse_response(
				br#"{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"nonce too low"}}"#
			),
			Err(RpcError::Refused { code: -32000, message: "nonce too low".into() })
		);
		assert_eq!(
			parse_response(br#"{"jsonrpc":"2.0","id":1,"error":{"code":1010,"message":"Invalid Transaction","data":"Transaction is outdated"}}"#),
			Err(RpcError::Refused {
				code: 1010,
				message: "Invalid Transaction: Transaction is outdated".into()
			})
		);
		assert_eq!(parse_response(b"<html>"), Err(RpcError::Malformed));
		assert_eq!(parse_response(br#"{"jsonrpc":"2.0","id":1}"#), Err(RpcError::Malformed));
	}

	#[test]
	fn hex_round_trips_and_quantities_are_bounded() {
		assert_eq!(hex(&[0, 0xab, 0x10]), "0x00ab10");
		assert_eq!(unhex("0x00ab10"), Some(vec![0, 0xab, 0x10]));
		assert_eq!(unhex("0xabc"), Some(vec![0x0a, 0xbc]));
		assert_eq!(unhex("abc"), None);
		assert_eq!(unhex("0xzz"), None);
		assert_eq!(quantity(&Value::String("0x0".into())), Some(0));
		assert_eq!(quantity(&Value::String("0xde0b6b3a7640000".into())), Some(10u128.pow(18)));
		assert_eq!(quantity(&Value::String(format!("0x1{}", "0".repeat(32)))), None);
		assert_eq!(quantity(&Value::String("0x".into())), None);
		assert_eq!(fixed_bytes::<2>(&Value::String("0xabcd".into())), Some([0xab, 0xcd]));
		assert_eq!(fixed_bytes::<2>(&Value::String("0xab".into())), None);
	}
}

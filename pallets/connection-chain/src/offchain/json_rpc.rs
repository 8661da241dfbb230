//! A small JSON-RPC 2.0 client over the off-chain worker's HTTP API.
//!
//! Every request has a deadline, so an endpoint that hangs costs the worker at most
//! [`CALL_DEADLINE_MS`] per request and never stalls the node. Many calls of one method go as
//! JSON-RPC batches: one round trip each instead of one per call. Request bodies are built byte
//! for byte the same way each time (fixed `id`s, fixed key order), so tests can expect them
//! exactly.

use alloc::{format, string::String, vec::Vec};
use serde::Deserialize;
use serde_json::Value;
use sp_runtime::offchain::{http, Duration};

/// How long one request may take, from sending it to reading the whole response.
pub const CALL_DEADLINE_MS: u64 = 5_000;

/// The most calls in one batch. A batch of submissions is validated one by one by the node
/// (about a millisecond each), so its answer comes well within [`CALL_DEADLINE_MS`].
pub const MAX_BATCH_CALLS: usize = 100;
/// Bytes of a response body read at once.
const RESPONSE_CHUNK: usize = 64 * 1024;

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

fn call_text(id: usize, method: &str, params: &str) -> String {
	format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"{method}","params":{params}}}"#)
}

/// The exact body of a call: `params` is the JSON text of the parameter array.
pub fn request_body(method: &str, params: &str) -> String {
	call_text(1, method, params)
}

/// The exact body of a batch of calls of `method`, one per parameter array, with ids 0, 1, ….
pub fn batch_body(method: &str, params: &[String]) -> String {
	let calls: Vec<String> =
		params.iter().enumerate().map(|(id, params)| call_text(id, method, params)).collect();
	format!("[{}]", calls.join(","))
}

/// Reads the result out of a JSON-RPC response body.
pub fn parse_response(body: &[u8]) -> Result<Value, RpcError> {
	read_response(serde_json::from_slice(body).map_err(|_| RpcError::Malformed)?)
}

/// Reads the results of a batch of `count` calls out of its response body, in the calls' order
/// (the endpoint may answer in any order; the ids tell which is which). `None` when the body is
/// not a batch response: the endpoint refused the batch as a whole.
pub fn parse_batch_response(body: &[u8], count: usize) -> Option<Vec<Result<Value, RpcError>>> {
	let Ok(Value::Array(responses)) = serde_json::from_slice(body) else { return None };
	// A call the endpoint did not answer has no result.
	let mut results = alloc::vec![Err(RpcError::Malformed); count];
	for response in responses {
		let index =
			response.get("id").and_then(Value::as_u64).and_then(|id| usize::try_from(id).ok());
		if let Some(result) = index.and_then(|index| results.get_mut(index)) {
			*result = read_response(response);
		}
	}
	Some(results)
}

/// Reads the result of a JSON-RPC response body straight into `R`, whose text fields may
/// borrow from `body` (hex text is never escaped). Read as a [`Value`], a block of thousands of
/// transactions costs a heap allocation per field, and each is a host call from the runtime.
/// An error answer, a null result or one of another shape is an error; `what` names the
/// expected result.
pub fn parse_result<'a, R: Deserialize<'a>>(
	body: &'a [u8],
	what: &'static str,
) -> Result<R, RpcError> {
	#[derive(Deserialize)]
	struct Answer<R> {
		result: Option<R>,
	}
	match serde_json::from_slice::<Answer<R>>(body) {
		Ok(Answer { result: Some(result) }) => Ok(result),
		// The generic reading tells a refusal from a malformed answer.
		_ => parse_response(body).and(Err(RpcError::UnexpectedResult(what))),
	}
}

fn read_response(mut response: Value) -> Result<Value, RpcError> {
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
		parse_response(&self.call_for_body(method, params)?)
	}

	/// Calls `method` and returns the whole response body, to be read by [`parse_result`].
	pub fn call_for_body(&self, method: &str, params: &str) -> Result<Vec<u8>, RpcError> {
		self.post(&request_body(method, params))
	}

	/// Calls `method` once for each parameter array, in batches of at most [`MAX_BATCH_CALLS`];
	/// one result per call, in the calls' order. A lone call goes on its own, and an endpoint
	/// that refuses batches (a node started with `--rpc-disable-batch-requests` or a smaller
	/// `--rpc-max-batch-request-len`) gets the calls one by one.
	pub fn call_each(&self, method: &str, params: &[String]) -> Vec<Result<Value, RpcError>> {
		let mut results = Vec::with_capacity(params.len());
		for chunk in params.chunks(MAX_BATCH_CALLS) {
			let batch = match chunk {
				[_] => None,
				_ => match self.post(&batch_body(method, chunk)) {
					Ok(body) => parse_batch_response(&body, chunk.len()),
					// One by one, the calls would find the endpoint just as unreachable.
					Err(RpcError::Unreachable) => {
						Some(alloc::vec![Err(RpcError::Unreachable); chunk.len()])
					}
					Err(_) => None,
				},
			};
			match batch {
				Some(batch) => results.extend(batch),
				None => results.extend(chunk.iter().map(|params| self.call(method, params))),
			}
		}
		results
	}

	/// Posts `body`; the response body if the endpoint answered 200 in time.
	fn post(&self, body: &str) -> Result<Vec<u8>, RpcError> {
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
		// Read in large chunks: `http::ResponseBody` yields the body a byte at a time, and the
		// blocks of a burst are megabytes of JSON.
		let mut body = Vec::new();
		let mut chunk = alloc::vec![0u8; RESPONSE_CHUNK];
		loop {
			let read =
				sp_io::offchain::http_response_read_body(response.id, &mut chunk, Some(deadline))
					.map_err(|_| RpcError::Unreachable)?;
			let read = usize::try_from(read).map_err(|_| RpcError::Malformed)?;
			if read == 0 {
				return Ok(body);
			}
			body.extend_from_slice(chunk.get(..read).ok_or(RpcError::Malformed)?);
		}
	}
}

/// The parameter array of a call whose one parameter is `bytes`: `["0x…"]`.
pub fn hex_param(bytes: &[u8]) -> String {
	format!("[\"{}\"]", hex(bytes))
}

/// `0x`-prefixed lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
	const DIGITS: &[u8; 16] = b"0123456789abcdef";
	let mut out = String::with_capacity(2 + bytes.len() * 2);
	out.push_str("0x");
	for byte in bytes {
		out.push(char::from(DIGITS[usize::from(byte >> 4)]));
		out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
	}
	out
}

/// Bytes of `0x`-prefixed hex (an odd number of digits is read as if led by a zero).
pub fn unhex(text: &str) -> Option<Vec<u8>> {
	let digits = text.strip_prefix("0x")?.as_bytes();
	let (head, rest) = digits.split_at(digits.len() % 2);
	let mut out = Vec::with_capacity(digits.len() / 2 + 1);
	if let Some(&first) = head.first() {
		out.push(hex_digit(first)?);
	}
	for pair in rest.chunks_exact(2) {
		out.push(hex_byte(pair)?);
	}
	Some(out)
}

/// The byte two hex digits (`pair`, the high one first) write.
fn hex_byte(pair: &[u8]) -> Option<u8> {
	Some(hex_digit(*pair.first()?)? << 4 | hex_digit(*pair.get(1)?)?)
}

/// The value of one hex digit.
fn hex_digit(c: u8) -> Option<u8> {
	match c {
		b'0'..=b'9' => Some(c - b'0'),
		b'a'..=b'f' => Some(c - b'a' + 10),
		b'A'..=b'F' => Some(c - b'A' + 10),
		_ => None,
	}
}

/// A `0x`-prefixed hex quantity (as Ethereum writes numbers) that fits in a `u128`.
pub fn quantity(value: &Value) -> Option<u128> {
	hex_quantity(value.as_str()?)
}

/// [`quantity`] of text.
pub fn hex_quantity(text: &str) -> Option<u128> {
	let digits = text.strip_prefix("0x")?;
	if digits.is_empty() || digits.len() > 32 {
		return None;
	}
	u128::from_str_radix(digits, 16).ok()
}

/// A `0x`-prefixed hex string of exactly `N` bytes.
pub fn fixed_bytes<const N: usize>(value: &Value) -> Option<[u8; N]> {
	hex_fixed_bytes(value.as_str()?)
}

/// [`fixed_bytes`] of text. Decoded in place: a block scan reads thousands of hashes and
/// addresses, and a heap allocation in the runtime is a host call.
pub fn hex_fixed_bytes<const N: usize>(text: &str) -> Option<[u8; N]> {
	let digits = text.strip_prefix("0x")?.as_bytes();
	if digits.len() != 2 * N {
		return None;
	}
	let mut out = [0u8; N];
	for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
		*byte = hex_byte(pair)?;
	}
	Some(out)
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
	fn batches_are_byte_exact_and_read_by_id_in_any_order() {
		assert_eq!(
			batch_body("eth_sendRawTransaction", &["[\"0x01\"]".into(), "[\"0x02\"]".into()]),
			concat!(
				r#"[{"jsonrpc":"2.0","id":0,"method":"eth_sendRawTransaction","params":["0x01"]},"#,
				r#"{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x02"]}]"#
			)
		);
		// Answered out of order, one refused, the third call not answered at all.
		let body = concat!(
			r#"[{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"already known"}},"#,
			r#"{"jsonrpc":"2.0","id":0,"result":"0xaa"},{"jsonrpc":"2.0","id":7,"result":"0xbb"}]"#
		);
		assert_eq!(
			parse_batch_response(body.as_bytes(), 3),
			Some(vec![
				Ok(Value::String("0xaa".into())),
				Err(RpcError::Refused { code: -32000, message: "already known".into() }),
				Err(RpcError::Malformed),
			])
		);
		// A node that takes no batches answers with one error object.
		let refused = br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32005,"message":"Batched requests are not supported by this server"}}"#;
		assert_eq!(parse_batch_response(refused, 2), None);
		assert_eq!(parse_batch_response(b"<html>", 2), None);
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
		assert_eq!(fixed_bytes::<2>(&Value::String("0xAbCd".into())), Some([0xab, 0xcd]));
		assert_eq!(fixed_bytes::<2>(&Value::String("0xab".into())), None);
		assert_eq!(fixed_bytes::<2>(&Value::String("0xabc".into())), None);
		assert_eq!(fixed_bytes::<2>(&Value::String("0xabcdef".into())), None);
		assert_eq!(fixed_bytes::<2>(&Value::String("0xabcg".into())), None);
		assert_eq!(fixed_bytes::<2>(&Value::String("abcd".into())), None);
	}
}

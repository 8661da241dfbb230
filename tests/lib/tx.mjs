// Submitting transactions with polkadot.js and reading what they did.

/**
 * Signs and submits `tx`; resolves with `{ blockHash, events, txHash }` once its block is in the chain
 * (`until: 'inBlock'`) or finalized (`until: 'finalized'`). A failed dispatch rejects with an
 * error whose `module` is `{ section, name }` for pallet errors.
 */
export function submit(api, tx, signer, { until = 'inBlock' } = {}) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (dispatchError) {
        const error = new Error(`dispatch error: ${dispatchError.toString()}`);
        if (dispatchError.isModule) {
          const { section, name } = api.registry.findMetaError(dispatchError.asModule);
          error.module = { section, name };
          error.message = `dispatch error: ${section}.${name}`;
        }
        reject(error);
      } else if ((until === 'inBlock' && status.isInBlock) || status.isFinalized) {
        resolve({ blockHash: status.isInBlock ? status.asInBlock : status.asFinalized, events, txHash: tx.hash.toHex() });
      } else if (status.isInvalid || status.isDropped || status.isUsurped) {
        reject(new Error(`transaction ${status.type}`));
      }
    }).catch(reject);
  });
}

/** The error a sudo call's inner dispatch returned (`Sudo.Sudid` carries it), or null. */
export function sudoResult(api, events) {
  const sudid = events.find(({ event }) => api.events.sudo.Sudid.is(event));
  const result = sudid.event.data.sudoResult;
  if (result.isOk) return null;
  const { section, name } = api.registry.findMetaError(result.asErr.asModule);
  return `${section}.${name}`;
}

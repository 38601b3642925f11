'use strict';

// Request ids follow the contract's id grammar ([A-Za-z0-9][A-Za-z0-9._-]{0,63}); each run, worker and round gets
// its own prefix, so no request id repeats and the contract's idempotency never answers from an earlier request.
const RUN = Date.now().toString(36);

function requestIds(kind, workerIndex, roundIndex) {
    let next = 0;
    return () => `cal-${kind}-${RUN}-w${workerIndex}-r${roundIndex}-${next++}`;
}

module.exports = { requestIds };

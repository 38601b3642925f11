'use strict';

const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
const { requestIds } = require('./ids');

/**
 * The channel's own limit: Baseline:write, one blind key write under the same chaincode, endorsement policy and
 * client identity as the refill, so refill tx/s divided by this tx/s is what the postal rules cost.
 */
class BaselinePut extends WorkloadModuleBase {
    async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
        await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
        this.nextRequestId = requestIds('put', workerIndex, roundIndex);
    }

    async submitTransaction() {
        const requestId = this.nextRequestId();
        await this.sutAdapter.sendRequests({
            contractId: this.roundArguments.chaincode,
            contractFunction: 'Baseline:write',
            contractArguments: [requestId, requestId],
            invokerIdentity: this.roundArguments.identity,
            readOnly: false,
            timeout: 60
        });
    }
}

module.exports.createWorkloadModule = () => new BaselinePut();

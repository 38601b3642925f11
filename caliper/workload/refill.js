'use strict';

const fs = require('fs');
const path = require('path');
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
const { requestIds } = require('./ids');

/**
 * The data center refills meters by one minor unit (PostalLedgerContract:refillMeter): the issued-funds account
 * debited, the meter's PSD registers credited, a request record, an event, under key-level endorsement by the
 * DataCenter and the meter owner's peer. Each worker owns its own meters (registered once, by request ids derived
 * from the meter, so a second round's registration is answered from the first) and never refills a meter that has a
 * refill in flight: concurrent refills of one meter would be MVCC conflicts, which measure the client, not the ledger.
 */
class Refill extends WorkloadModuleBase {
    async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
        await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
        this.nextRequestId = requestIds('refill', workerIndex, roundIndex);
        const meters = JSON.parse(fs.readFileSync(path.resolve(roundArguments.meters), 'utf8'));
        // Worker w takes every totalWorkers-th meter: disjoint sets, so workers never refill the same meter.
        const mine = meters.filter((_, i) => i % totalWorkers === workerIndex);
        if (mine.length === 0) {
            throw new Error(`worker ${workerIndex} has no meters: register more than ${totalWorkers}`);
        }
        for (let i = 0; i < mine.length; i += 16) {
            await Promise.all(mine.slice(i, i + 16).map(meter => this.register(meter)));
        }
        this.idle = mine.map(meter => meter.meterId);
        this.waiting = [];
    }

    async register(meter) {
        const registration = {
            meterId: meter.meterId,
            ownerMsp: meter.ownerMsp,
            certificatePem: fs.readFileSync(meter.certificate, 'utf8'),
            kind: 'POSTAL_METER',
            model: 'caliper',
            limits: {
                maxBalanceMinorUnits: 100000000,
                maxPostagePerPieceMinorUnits: 10000,
                maxTransferMinorUnits: 100000
            }
        };
        const status = await this.sutAdapter.sendRequests({
            contractId: this.roundArguments.chaincode,
            contractFunction: 'PostalLedgerContract:registerMeter',
            contractArguments: [`cal-register-${meter.meterId}`, JSON.stringify(registration)],
            invokerIdentity: this.roundArguments.identity,
            readOnly: false,
            timeout: 60
        });
        // A refill round on unregistered meters would measure refusals: stop here instead.
        if (!status.IsCommitted()) {
            throw new Error(`registering ${meter.meterId} failed: ${status.GetErrMsg()}`);
        }
    }

    /** A meter with no refill in flight; waits for one when all are busy (only if the load exceeds the meters). */
    async takeMeter() {
        if (this.idle.length > 0) {
            return this.idle.pop();
        }
        return new Promise(resolve => this.waiting.push(resolve));
    }

    giveBack(meterId) {
        const waiter = this.waiting.shift();
        if (waiter) {
            waiter(meterId);
        } else {
            this.idle.push(meterId);
        }
    }

    async submitTransaction() {
        const meterId = await this.takeMeter();
        try {
            await this.sutAdapter.sendRequests({
                contractId: this.roundArguments.chaincode,
                contractFunction: 'PostalLedgerContract:refillMeter',
                contractArguments: [this.nextRequestId(), meterId, '1'],
                invokerIdentity: this.roundArguments.identity,
                readOnly: false,
                timeout: 60
            });
        } finally {
            this.giveBack(meterId);
        }
    }
}

module.exports.createWorkloadModule = () => new Refill();

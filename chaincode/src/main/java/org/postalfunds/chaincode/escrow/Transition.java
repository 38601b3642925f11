package org.postalfunds.chaincode.escrow;

import org.postalfunds.api.model.TransferAction;
import org.postalfunds.api.model.TransferState;

/**
 * One row of the transition table.
 *
 * @param from the state the transfer must be in; null for the actions that open a transfer
 * @param party who may take the step
 */
public record Transition(
        TransferState from,
        TransferAction action,
        TransferParty party,
        DeadlineRule deadline,
        TransferState to,
        EscrowEffect effect) {}

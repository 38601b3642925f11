package org.postalfunds.client.ledger;

import org.hyperledger.fabric.protos.common.Block;

/** Whole blocks of the channel, in order from block 0 (see {@link Feed}): what a chain verification reads. */
public interface BlockFeed extends Feed<Block> {
}

package org.postalfunds.client.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.testnetwork.ClientIdentities.ClientIdentity;
import org.postalfunds.testnetwork.NetworkDescription;
import org.postalfunds.testnetwork.NetworkScripts;

/**
 * An orderer whose etcdraft write-ahead log is torn comes back through {@code recover-orderer.sh}: on a network of three
 * Raft orderers (its own, in {@code <state>-tornwal} at port offset {@code -Dfaults.tornWalOffset}, default 21000),
 * orderer2 is SIGKILLed after some transfers and its newest WAL file cut in the middle of its last record (what run 100
 * of the long crash run met). Fabric 3.1.5 then cannot start it ("failed to read WAL and cannot repair"); the harness's
 * restart sees that in its log and recovers it: the channel removed from it and joined again. Then it serves the
 * channel at the others' height, a second recovery finds nothing to do, it is a working Raft member (with orderer1
 * killed, the channel orders only with its vote; the script refuses to touch orderer1, whose log shows no unreadable
 * data), transfers continue, and the conservation audit passes. Runs with the other 3-orderer test
 * ({@code -Dfaults.orderers=3}); about 5 minutes.
 */
@EnabledIfSystemProperty(named = "faults.orderers", matches = "3")
class TornWalOrdererRecoveryOnRealPeersTest {
    private static final Pattern SERVED = Pattern.compile("channel \\S+ on (orderer\\d): active height (\\d+)");

    @Test
    void an_orderer_whose_wal_is_torn_is_rejoined_and_catches_up() throws Exception {
        NetworkScripts scripts = NetworkScripts.forThisProject();
        scripts = scripts.withEnvironment(Map.of("POSTAL_NETWORK_STATE", scripts.state() + "-tornwal",
                "POSTAL_PORT_OFFSET", Integer.toString(Integer.getInteger("faults.tornWalOffset", 21_000)),
                "POSTAL_ORDERERS", "3"));
        scripts.require("up.sh", NetworkScripts.UP_LIMIT, "--orderers", "3");
        try (LiveNetwork net = new LiveNetwork(NetworkDescription.read(
                deployed(scripts)))) {
            final Components components = new Components(scripts);
            final ClientIdentity donor = net.registeredMeter("MailerA", "torn-donor", 100_000);
            final ClientIdentity recipient = net.registeredMeter("MailerB", "torn-recipient", 0);
            final MeterClient from = net.meter(donor);
            final MeterClient to = net.meter(recipient);
            moveFunds(from, to, 5);

            components.kill("orderer2");
            final Path wal = newestWal(scripts.state().resolve("nodes/orderer2/etcdraft/wal/postal"));
            final Tear tear = tearLastRecord(wal);
            System.out.println("[torn-wal] " + wal.getFileName() + " cut at byte " + tear.cut() + ": its last record "
                    + tear.recordSize() + " bytes + " + tear.padding() + " padding, " + tear.kept() + " kept");

            final Components.Restart restart = components.restart("orderer2");
            assertThat(restart.recoveredFromTornWal()).as("orderer2 needed the recovery").isTrue();
            assertThat(Files.readString(scripts.state().resolve("logs/orderer2.log")))
                    .contains("failed to read WAL and cannot repair");
            System.out.println("[torn-wal] orderer2 recovered in " + restart.took().toMillis() + " ms");
            assertThat(scripts.run("recover-orderer.sh", Components.RECOVER_LIMIT, Map.of(), "orderer2").output())
                    .as("a second recovery finds nothing to do").contains("nothing to recover");
            moveFunds(from, to, 3);
            assertThat(heightsAlike(scripts, 3, Duration.ofSeconds(60))).as("all three serve the channel at one height")
                    .hasSize(3);

            // A working Raft member: with orderer1 down, orderer2 and orderer3 are the quorum, so blocks need its vote.
            components.kill("orderer1");
            moveFunds(from, to, 2);
            assertThat(scripts.run("recover-orderer.sh", Components.RECOVER_LIMIT, Map.of(), "orderer1").exitCode())
                    .as("no recovery of a stopped orderer whose log shows readable Raft data").isNotZero();
            components.restart("orderer1");
            moveFunds(from, to, 1);
            final Map<String, Long> heights = heightsAlike(scripts, 3, Duration.ofSeconds(60));
            System.out.println("[torn-wal] heights after orderer1's kill and restart: " + heights);
            assertThat(heights).hasSize(3);

            assertThat(net.auditor().meter(recipient.name()).registers().availableMinorUnits()).isEqualTo(11 * 1_000L);
            assertThat(net.auditor().meter(donor.name()).registers().availableMinorUnits()).isEqualTo(100_000L - 11 * 1_000L);
            net.auditPasses();
        } finally {
            if (!Boolean.parseBoolean(System.getenv("POSTAL_NETWORK_KEEP"))) {
                scripts.run("down.sh", NetworkScripts.DOWN_LIMIT);
            }
        }
    }

    private static Path deployed(final NetworkScripts scripts) {
        scripts.require("deploy.sh", NetworkScripts.DEPLOY_LIMIT, scripts.chaincodeJar().toString());
        return scripts.networkJson();
    }

    /** COUNT offers of 10.00, each acknowledged: blocks through the ordering service. */
    private static void moveFunds(final MeterClient from, final MeterClient to, final int count) throws Exception {
        for (int i = 0; i < count; i++) {
            final String transfer = from.offer(RequestId.random(), to.meterId(), 1_000, Instant.now().plusSeconds(600))
                    .transferId();
            to.acknowledge(RequestId.random(), transfer);
        }
    }

    private static Path newestWal(final Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".wal")).max(Path::compareTo)
                    .orElseThrow(() -> new IllegalStateException("no WAL file in " + folder));
        }
    }

    /** Where the WAL file was cut: its new length, and the torn record's size, padding and bytes kept. */
    private record Tear(long cut, long recordSize, long padding, long kept) {
    }

    /**
     * Cuts the WAL file inside its last record, as a write torn by the kill leaves it, so that Fabric cannot repair it.
     * etcd's frames: an 8-byte little-endian length (low 56 bits the record's size; with the top bit set, bits 56-58 its
     * padding), the record, the padding; a zero length is the file's preallocated end. etcd's decoder (3.6, in Fabric
     * 3.1.5) refuses a frame longer than what is left of the file ("max entry size limit exceeded") with an error that
     * wraps io.ErrUnexpectedEOF, while Fabric repairs only a bare io.ErrUnexpectedEOF (a short read of a frame that
     * fits): the tear it cannot repair keeps fewer than size + padding - 8 of the record's bytes. Half the record, capped
     * there, is such a tear whatever the record's size, a block's entry or a few bytes of Raft state, so block sizes
     * (the batch timeout) do not matter. A record of 8 bytes or less with its padding (a bare CRC record, which never
     * ends a file) cannot be torn so: the last larger one is cut instead, as a torn write of both would leave it.
     */
    private static Tear tearLastRecord(final Path wal) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(wal.toFile(), "rw"); FileChannel channel = file.getChannel()) {
            final ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            long offset = 0;
            long lastStart = -1;
            long lastSize = 0;
            long lastPadding = 0;
            while (offset + 8 <= channel.size()) {
                header.clear();
                channel.read(header, offset);
                final long frame = header.flip().getLong();
                if (frame == 0) {
                    break;
                }
                final long size = frame & 0x00FF_FFFF_FFFF_FFFFL;
                final long padding = frame < 0 ? (frame >>> 56) & 0x7 : 0;
                if (size + padding > 8) {
                    lastStart = offset;
                    lastSize = size;
                    lastPadding = padding;
                }
                offset += 8 + size + padding;
            }
            assertThat(lastStart).as("a record of more than 8 bytes in %s", wal).isNotNegative();
            final long kept = Math.min(lastSize / 2, lastSize + lastPadding - 9);
            final long cut = lastStart + 8 + kept;
            channel.truncate(cut);
            return new Tear(cut, lastSize, lastPadding, kept);
        }
    }

    /** status.sh's channel lines until COUNT orderers serve the channel at one height; their heights. */
    private static Map<String, Long> heightsAlike(final NetworkScripts scripts, final int count, final Duration limit)
            throws InterruptedException {
        final long until = System.nanoTime() + limit.toNanos();
        Map<String, Long> heights = new TreeMap<>();
        while (System.nanoTime() < until) {
            heights = new TreeMap<>();
            final Matcher m = SERVED.matcher(scripts.run("status.sh", NetworkScripts.DOWN_LIMIT, Map.of()).output());
            while (m.find()) {
                heights.put(m.group(1), Long.parseLong(m.group(2)));
            }
            if (heights.size() == count && heights.values().stream().distinct().count() == 1) {
                return heights;
            }
            Thread.sleep(2_000);
        }
        throw new AssertionError("the orderers do not serve the channel at one height within " + limit + ": " + heights);
    }
}

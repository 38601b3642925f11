package org.postalfunds.chaincode.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The private data collections of the real network (network/collections_config.json, Fabric's format), read for the
 * in-memory ledger so the tests run against the collections the channel is configured with, not a copy of them.
 */
public final class NetworkCollections {
    private static final Pattern PRINCIPAL = Pattern.compile("'([A-Za-z0-9]+)\\.(member|peer)'");

    private NetworkCollections() {}

    public static Path file() {
        Path directory = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (directory != null) {
            final Path candidate = directory.resolve("network").resolve("collections_config.json");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
            directory = directory.getParent();
        }
        throw new IllegalStateException("network/collections_config.json not found above " + System.getProperty("user.dir"));
    }

    public static List<FakeLedger.CollectionDefinition> read() {
        try {
            final JsonNode root = new ObjectMapper().readTree(file().toFile());
            final List<FakeLedger.CollectionDefinition> collections = new ArrayList<>();
            for (final JsonNode collection : root) {
                collections.add(new FakeLedger.CollectionDefinition(collection.get("name").asText(),
                        principals(collection.get("policy").asText()), collection.get("memberOnlyRead").asBoolean(),
                        collection.get("memberOnlyWrite").asBoolean(),
                        principals(collection.path("endorsementPolicy").path("signaturePolicy").asText())));
            }
            return collections;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file(), e);
        }
    }

    public static void defineIn(final FakeLedger ledger) {
        read().forEach(ledger::defineCollection);
    }

    /** The MSP ids named in a signature policy such as AND('AMSP.peer','BMSP.peer'). */
    static Set<String> principals(final String policy) {
        final Set<String> msps = new TreeSet<>();
        final Matcher matcher = PRINCIPAL.matcher(policy);
        while (matcher.find()) {
            msps.add(matcher.group(1));
        }
        return msps;
    }
}

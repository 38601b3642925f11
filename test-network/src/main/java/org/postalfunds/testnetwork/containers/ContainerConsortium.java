package org.postalfunds.testnetwork.containers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.postalfunds.testnetwork.NetworkDescription;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.ExecConfig;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.containers.wait.strategy.WaitStrategy;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

/**
 * The consortium of {@code network/consortium.json} in containers, through Testcontainers: one container per node
 * (each org's Fabric CA, the Raft orderer(s), one peer per peer org, the chaincode service), all on one container
 * network where each node has its own address ({@code <node>.<domain>}), each started from its org's bundle
 * ({@code containers/bundle.sh}) mounted at {@code /bundle}. The admin steps (osnadmin join, peer channel join,
 * chaincode install, approve, commit) run inside the nodes' containers as each org's admin. Clients on this host
 * reach the gateways and CAs through published ports; {@link #description()} gives them as a
 * {@link NetworkDescription}, so the tests written for the native network run unchanged.
 *
 * <p>Every container and the network carry the run's prefix ({@code postal-<8 hex>}); {@link #close()} removes them
 * all and stops the podman service it started, and {@link #leftovers()} lists what of this run the engine still has.
 */
public final class ContainerConsortium implements AutoCloseable {
    private static final Duration SCRIPT_LIMIT = Duration.ofMinutes(15);
    private static final Duration START_LIMIT = Duration.ofSeconds(180);
    private static final Pattern RAFT_LEADER = Pattern.compile("Raft leader changed: [0-9]+ -> [1-9]|elected leader|Leader .* is present");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path projectRoot;
    private final Path state;
    private final Path bundles;
    private final String prefix;
    private final int orderers;
    private final List<GenericContainer<?>> containers = new ArrayList<>();
    private final Map<String, GenericContainer<?>> byNode = new LinkedHashMap<>();
    private final Map<String, Long> timings = new LinkedHashMap<>();
    private final Map<String, String> addresses = new HashMap<>();
    private PodmanSocket podman;
    private Network network;
    private Map<String, String> images;
    private Path staticFabric;
    private NetworkDescription description;
    private JsonNode consortium;
    /** The channel's peer organisations, the founding ones first, then those that joined. */
    private final List<String> peerOrgs = new ArrayList<>();
    private final List<String> ordererNames = new ArrayList<>();
    private JsonNode definition;

    private ContainerConsortium(final Path projectRoot, final Path state, final int orderers) {
        this.projectRoot = projectRoot;
        this.state = state;
        this.bundles = state.resolve("bundles");
        this.prefix = "postal-" + UUID.randomUUID().toString().substring(0, 8);
        this.orderers = orderers;
    }

    /** Brings the consortium up in STATE (bundles, logs) with 1 or 3 orderers; on failure removes what it made. */
    public static ContainerConsortium start(final Path projectRoot, final Path state, final int orderers) {
        final ContainerConsortium consortium = new ContainerConsortium(projectRoot, state, orderers);
        try {
            consortium.bringUp();
            return consortium;
        } catch (RuntimeException | Error e) {
            try {
                consortium.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    public NetworkDescription description() {
        return description;
    }

    public String prefix() {
        return prefix;
    }

    /** Phase durations in ms, in order (images, layout, cas, enrol, channel, orderers, chaincode, peers, lifecycle). */
    public Map<String, Long> timings() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(timings));
    }

    /** The node's container: ca-<Org>, orderer1.., peer0-<Org>, chaincode. */
    public GenericContainer<?> container(final String node) {
        final GenericContainer<?> container = byNode.get(node);
        if (container == null) {
            throw new IllegalArgumentException("no node " + node + " in " + byNode.keySet());
        }
        return container;
    }

    public Map<String, GenericContainer<?>> nodes() {
        return Map.copyOf(byNode);
    }

    /** Cuts a node off the consortium's network (podman network disconnect): nobody reaches it, it reaches nobody. */
    public void disconnect(final String node) {
        final GenericContainer<?> c = container(node);
        // Its address on the network, to come back under when healed (a host's address does not change with a cut cable).
        addresses.put(node, c.getCurrentContainerInfo().getNetworkSettings().getNetworks().values().iterator().next().getIpAddress());
        org.testcontainers.DockerClientFactory.instance().client().disconnectFromNetworkCmd()
                .withNetworkId(network.getId()).withContainerId(c.getContainerId()).withForce(true).exec();
    }

    /** Puts a node cut off by {@link #disconnect} back on the network under its own name and address. */
    public void reconnect(final String node) {
        final GenericContainer<?> c = container(node);
        final com.github.dockerjava.api.model.ContainerNetwork endpoint = new com.github.dockerjava.api.model.ContainerNetwork()
                .withAliases(c.getNetworkAliases());
        final String address = addresses.remove(node);
        if (address != null && !address.isEmpty()) {
            endpoint.withIpamConfig(new com.github.dockerjava.api.model.ContainerNetwork.Ipam().withIpv4Address(address));
        }
        org.testcontainers.DockerClientFactory.instance().client().connectToNetworkCmd()
                .withNetworkId(network.getId()).withContainerId(c.getContainerId()).withContainerNetwork(endpoint).exec();
    }

    /** The channel's height on a peer, asked inside the peer's own container by its org's admin. */
    public long height(final String peerNode) {
        return chainInfo(peerNode).height();
    }

    /** A peer's view of the channel: its height and the hash of its last block (equal on peers that agree). */
    public record ChainInfo(long height, String currentBlockHash) {
    }

    /** The channel's height and last block hash on a peer ({@code peer channel getinfo} inside its container). */
    public ChainInfo chainInfo(final String peerNode) {
        // Over the container's own loopback: a peer cut off the network has no name service but still answers there.
        final GenericContainer<?> peer = container(peerNode);
        final String address = peer.getEnvMap().get("CORE_PEER_ADDRESS");
        final Map<String, String> env = new HashMap<>(admin());
        env.put("CORE_PEER_ADDRESS", "127.0.0.1" + address.substring(address.lastIndexOf(':')));
        final String info = exec(peer, env, "peer", "channel", "getinfo", "-c", channel());
        final java.util.regex.Matcher m = Pattern.compile("\\{.*\\}").matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("no chain info in the answer of " + peerNode + ": " + info);
        }
        try {
            final JsonNode json = JSON.readTree(m.group());
            return new ChainInfo(json.path("height").asLong(), json.path("currentBlockHash").asText());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the chain info of " + peerNode + ": " + info, e);
        }
    }

    /** The HSM bridge's port inside its container ({@code bridge.port} of its configuration). */
    public static final int HSM_BRIDGE_PORT = 7443;

    /**
     * ORG's HSM bridge in a container of its own (image postal-hsm-bridge: the bridge's jar on the JRE base with
     * SoftHSM2), on the consortium's network as {@code hsm-bridge.<domain>}: a SoftHSM2 token is made inside the
     * container at start (label, SO PIN and user PIN from ENV, never written to a file or a command line of this side),
     * then the bridge runs with {@code FOLDER/bridge.properties} (FOLDER mounted at /bridge: the bridge's TLS files and
     * its audit log). Returns the port it is published on, on this host's loopback. Removed by {@link #close()}.
     */
    public int startHsmBridge(final String org, final Path folder, final Map<String, String> env) {
        final String image = images.get("postal-hsm-bridge");
        if (image == null) {
            throw new IllegalStateException("no postal-hsm-bridge image (build hsm-bridge/target/hsm-bridge.jar first): " + images);
        }
        final String alias = "hsm-bridge." + orgNode(consortium, org).path("domain").asText();
        final GenericContainer<?> bridge = new GenericContainer<>(DockerImageName.parse(image))
                .withNetwork(network).withNetworkAliases(alias)
                .withCreateContainerCmdModifier(cmd -> cmd.withName(prefix + "-hsm-bridge-" + org).withHostName(alias)
                        .withEntrypoint("sh", "-c", "softhsm2-util --init-token --free --label \"$PSD_TOKEN_LABEL\""
                                + " --so-pin \"$PSD_TOKEN_SO_PIN\" --pin \"$PSD_TOKEN_PIN\" >/dev/null"
                                + " && exec java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar /opt/postal/app.jar"
                                + " --config /bridge/bridge.properties"))
                .withLabel("org.postalfunds.run", prefix)
                .withFileSystemBind(folder.toString(), "/bridge", BindMode.READ_WRITE)
                .withExposedPorts(HSM_BRIDGE_PORT)
                .waitingFor(Wait.forLogMessage("(?s).*psd-bridge listening on .*", 1).withStartupTimeout(START_LIMIT));
        env.forEach(bridge::withEnv);
        containers.add(bridge);
        byNode.put("hsm-bridge-" + org, bridge);
        bridge.start();
        return bridge.getMappedPort(HSM_BRIDGE_PORT);
    }

    /** The orderer nodes (orderer1..), in the order of the description. */
    public List<String> ordererNodes() {
        return List.copyOf(ordererNames);
    }

    /**
     * The orderer that is the channel's Raft leader now, among those answering on their operations port
     * ({@code consensus_etcdraft_is_leader} is 1); empty while none is (an election) or none answers.
     */
    public Optional<String> raftLeader() {
        final java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        final Pattern leader = Pattern.compile("(?m)^consensus_etcdraft_is_leader\\{channel=\"" + Pattern.quote(channel()) + "\"\\} 1$");
        for (NetworkDescription.Orderer orderer : description.orderers()) {
            try {
                final String metrics = http.send(java.net.http.HttpRequest.newBuilder(orderer.operations().resolve("/metrics"))
                        .timeout(Duration.ofSeconds(3)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                if (leader.matcher(metrics).find()) {
                    return Optional.of(orderer.name());
                }
            } catch (IOException e) {
                // Cut off or restarting: not the leader anyone can reach.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return Optional.empty();
    }

    /** The channel's height on an orderer, asked inside its container by the orderer org's admin (osnadmin, its loopback). */
    public long ordererHeight(final String orderer) {
        final int adminPort = consortium.at("/ordererOrg/nodes/" + ordererNames.indexOf(orderer) + "/adminPort").asInt();
        final String answer = exec(container(orderer), Map.of(), "osnadmin", "channel", "list", "--channelID", channel(),
                "-o", "127.0.0.1:" + adminPort, "--ca-file", "/bundle/consortium/Orderer-ca.pem",
                "--client-cert", "/bundle/users/admin/tls/server.crt", "--client-key", "/bundle/users/admin/tls/server.key");
        final java.util.regex.Matcher m = Pattern.compile("\"height\":\\s*(\\d+)").matcher(answer);
        if (!m.find()) {
            throw new IllegalStateException("no height in the answer of " + orderer + ": " + answer);
        }
        return Long.parseLong(m.group(1));
    }

    /** The channel's peer organisations: the founding ones, then those that joined (in order). */
    public List<String> peerOrganisations() {
        return List.copyOf(peerOrgs);
    }

    /**
     * ORG (one of network/consortium.json's joiningOrgs) joins the running channel, as its and the members' admins
     * would on their own hosts: its bundle (bundle.sh layout --join, its CA started, enrol, join for the exchange),
     * the channel config update adding its MSP (fetched, modified, computed with configtxlator in DataCenter's
     * peer container, signed by every member's admin in its own peer container, submitted), its peer started and
     * joined from the genesis block (it catches up from the orderer), the package installed, and the next chaincode
     * definition (its collections, its peer among the meter owners' endorsers) approved by every org and committed.
     * The ledger's consortium record is the data center's business (admitMeterOwner), not done here.
     */
    public NetworkDescription join(final String org) {
        if (peerOrgs.contains(org)) {
            throw new IllegalStateException(org + " is already on the channel");
        }
        long t = System.nanoTime();
        script("containers/bundle.sh", Map.of(), "layout", "--join", org);
        final GenericContainer<?> ca = ca(org);
        ca.start();
        finish(enrol(org), "bundle.sh enrol " + org);
        script("containers/bundle.sh", Map.of("CONFIGTXGEN_BIN", nativeFabric().resolve("bin/configtxgen").toString()), "join", org);
        t = lap("join:bundle", t);
        addToChannelConfig(org);
        t = lap("join:config-update", t);
        peer(org).start();
        definition = readJson(bundles.resolve(org).resolve("consortium/chaincode-definition.json"));
        joinChannelAndInstall(org);
        peerOrgs.add(org);
        // Caught up from the genesis block: every block of the channel, the config update adding it included.
        final long target = height("peer0-DataCenter");
        final long giveUp = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (height("peer0-" + org) < target) {
            if (System.nanoTime() > giveUp) {
                throw new IllegalStateException("the peer of " + org + " did not catch up to height " + target);
            }
            sleep(Duration.ofMillis(500));
        }
        t = lap("join:peer", t);
        for (String member : peerOrgs) {
            approve(member);
        }
        commitDefinition();
        lap("join:chaincode", t);
        final List<String> orgs = new ArrayList<>(List.of("Orderer"));
        orgs.addAll(peerOrgs);
        description = describe(consortium, orgs, ordererNames, definition);
        return description;
    }

    /**
     * The config update adding ORG's MSP (its definition from bundle.sh join) to the channel's Application group:
     * DataCenter's admin fetches the config and computes the update (configtxlator in its peer container); the
     * file then travels from member to member (each one's bundle, as an email would between hosts), each admin
     * signs it in its own peer container, the last one submits it: the channel's Admins policy (MAJORITY Admins of
     * the peer orgs) is met by all of them.
     */
    private void addToChannelConfig(final String org) {
        final String msp = orgNode(consortium, org).path("mspId").asText();
        final String folder = "join-" + org;
        final String in = "/bundle/" + folder + "/";
        final GenericContainer<?> proposer = byNode.get("peer0-DataCenter");
        final Path work = bundles.resolve("DataCenter").resolve(folder);
        try {
            Files.createDirectories(work);
            final List<String> fetch = new ArrayList<>(List.of("peer", "channel", "fetch", "config", in + "config.pb", "-c", channel()));
            fetch.addAll(ordererArgs());
            exec(proposer, admin(), fetch.toArray(String[]::new));
            configtxlator(proposer, "proto_decode", "--input", in + "config.pb", "--type", "common.Block", "--output", in + "config-block.json");
            final JsonNode config = readJson(work.resolve("config-block.json")).at("/data/data/0/payload/data/config");
            if (config.at("/channel_group/groups/Application/groups").has(msp)) {
                throw new IllegalStateException(msp + " is already in the channel's config");
            }
            final com.fasterxml.jackson.databind.node.ObjectNode modified = config.deepCopy();
            ((com.fasterxml.jackson.databind.node.ObjectNode) modified.at("/channel_group/groups/Application/groups"))
                    .set(msp, readJson(bundles.resolve("DataCenter/consortium").resolve(org + "-org.json")));
            JSON.writeValue(work.resolve("config.json").toFile(), config);
            JSON.writeValue(work.resolve("modified.json").toFile(), modified);
            configtxlator(proposer, "proto_encode", "--input", in + "config.json", "--type", "common.Config", "--output", in + "config.pb");
            configtxlator(proposer, "proto_encode", "--input", in + "modified.json", "--type", "common.Config", "--output", in + "modified.pb");
            configtxlator(proposer, "compute_update", "--channel_id", channel(), "--original", in + "config.pb",
                    "--updated", in + "modified.pb", "--output", in + "update.pb");
            configtxlator(proposer, "proto_decode", "--input", in + "update.pb", "--type", "common.ConfigUpdate", "--output", in + "update.json");
            final com.fasterxml.jackson.databind.node.ObjectNode envelope = JSON.createObjectNode();
            envelope.putObject("payload").putObject("header").putObject("channel_header")
                    .put("channel_id", channel()).put("type", 2); // HeaderType CONFIG_UPDATE
            ((com.fasterxml.jackson.databind.node.ObjectNode) envelope.get("payload")).putObject("data")
                    .set("config_update", readJson(work.resolve("update.json")));
            JSON.writeValue(work.resolve("update-envelope.json").toFile(), envelope);
            configtxlator(proposer, "proto_encode", "--input", in + "update-envelope.json", "--type", "common.Envelope",
                    "--output", in + "update-envelope.pb");
            Path signed = work.resolve("update-envelope.pb");
            for (int i = 0; i < peerOrgs.size(); i++) {
                final String member = peerOrgs.get(i);
                final Path here = bundles.resolve(member).resolve(folder);
                Files.createDirectories(here);
                if (!here.resolve("update-envelope.pb").equals(signed)) {
                    Files.copy(signed, here.resolve("update-envelope.pb"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                signed = here.resolve("update-envelope.pb");
                final GenericContainer<?> peer = byNode.get("peer0-" + member);
                if (i < peerOrgs.size() - 1) {
                    exec(peer, admin(), "peer", "channel", "signconfigtx", "-f", in + "update-envelope.pb");
                } else {
                    // peer channel update signs too: the last member's admin submits.
                    final List<String> update = new ArrayList<>(List.of("peer", "channel", "update", "-f", in + "update-envelope.pb", "-c", channel()));
                    update.addAll(ordererArgs());
                    exec(peer, admin(), update.toArray(String[]::new));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the config update adding " + org, e);
        }
    }

    private static void configtxlator(final GenericContainer<?> container, final String... args) {
        final List<String> command = new ArrayList<>(List.of("configtxlator"));
        command.addAll(List.of(args));
        exec(container, Map.of(), command.toArray(String[]::new));
    }

    /** Resident memory (kB) of each node's main process, read from /proc on this host (the container's pid). */
    public Map<String, Long> residentKilobytes() {
        final Map<String, Long> rss = new LinkedHashMap<>();
        byNode.forEach((node, container) -> {
            final Long pid = container.getCurrentContainerInfo().getState().getPidLong();
            try {
                for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss.put(node, Long.parseLong(line.replaceAll("[^0-9]", "")));
                    }
                }
            } catch (IOException e) {
                rss.put(node, -1L);
            }
        });
        return rss;
    }

    private void bringUp() {
        podman = PodmanSocket.fromEnvironment();
        long t = System.nanoTime();
        images = new HashMap<>();
        for (String line : script("containers/build-images.sh", Map.of()).split("\n")) {
            final int eq = line.indexOf('=');
            if (line.startsWith("postal-") && eq > 0) {
                images.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        staticFabric = Path.of(script("containers/build-static-fabric.sh", Map.of()).strip().lines().reduce((a, b) -> b).orElseThrow());
        t = lap("images", t);
        // Every run issues its identities afresh from new CAs: no bundle of an earlier run is reused.
        deleteTree(bundles);
        script("containers/bundle.sh", Map.of(), "layout", "--orderers", String.valueOf(orderers));
        t = lap("layout", t);

        network = Network.builder().createNetworkCmdModifier(cmd -> cmd.withName(prefix + "-net")).build();
        consortium = readJson(projectRoot.resolve("network/consortium.json"));
        final List<String> orgs = new ArrayList<>(List.of("Orderer"));
        consortium.path("peerOrgs").forEach(o -> orgs.add(o.path("name").asText()));

        // Each org's Fabric CA, from its bundle; the bootstrap secret through the environment only.
        final List<GenericContainer<?>> cas = new ArrayList<>();
        for (String org : orgs) {
            cas.add(ca(org));
        }
        Startables.deepStart(cas).join();
        t = lap("cas", t);
        final Map<String, Process> enrolments = new LinkedHashMap<>();
        for (String org : orgs) {
            enrolments.put(org, enrol(org));
        }
        enrolments.forEach((org, process) -> finish(process, "bundle.sh enrol " + org));
        t = lap("enrol", t);
        script("containers/bundle.sh", Map.of("CONFIGTXGEN_BIN", nativeFabric().resolve("bin/configtxgen").toString()), "channel");
        t = lap("channel", t);

        // Orderers: started, joined to the channel by the orderer org's admin (osnadmin inside each), a leader elected.
        for (int i = 0; i < orderers; i++) {
            ordererNames.add(consortium.at("/ordererOrg/nodes/" + i + "/name").asText());
        }
        final List<GenericContainer<?>> ordererContainers = new ArrayList<>();
        for (String name : ordererNames) {
            final JsonNode node = consortium.at("/ordererOrg/nodes/" + ordererNames.indexOf(name));
            ordererContainers.add(container(name, images.get("postal-fabric-orderer"), bundles.resolve("Orderer"),
                    bundles.resolve("Orderer/nodes").resolve(name).resolve("container.json"),
                    Wait.forHttp("/healthz").forPort(node.path("operationsPort").asInt())));
        }
        Startables.deepStart(ordererContainers).join();
        final String channel = consortium.path("channel").asText();
        for (String name : ordererNames) {
            final int adminPort = consortium.at("/ordererOrg/nodes/" + ordererNames.indexOf(name) + "/adminPort").asInt();
            exec(byNode.get(name), Map.of(), "osnadmin", "channel", "join", "--channelID", channel,
                    "--config-block", "/bundle/consortium/" + channel + ".block", "-o", "127.0.0.1:" + adminPort,
                    "--ca-file", "/bundle/consortium/Orderer-ca.pem", "--client-cert", "/bundle/users/admin/tls/server.crt",
                    "--client-key", "/bundle/users/admin/tls/server.key");
        }
        for (String name : ordererNames) {
            awaitLog(byNode.get(name), RAFT_LEADER, Duration.ofSeconds(90));
        }
        t = lap("orderers", t);

        // The chaincode service (DataCenter's), then the peers.
        final GenericContainer<?> chaincode = container("chaincode", images.get("postal-chaincode"), bundles.resolve("DataCenter"),
                bundles.resolve("DataCenter/nodes/chaincode-service/container.json"), Wait.forListeningPort());
        peerOrgs.addAll(orgs.subList(1, orgs.size()));
        final List<GenericContainer<?>> peers = new ArrayList<>(List.of(chaincode));
        for (String org : peerOrgs) {
            peers.add(peer(org));
        }
        Startables.deepStart(peers).join();
        t = lap("peers", t);

        // Lifecycle: each org's admin joins its peer, installs and approves; DataCenter's admin commits.
        definition = readJson(bundles.resolve("DataCenter/consortium/chaincode-definition.json"));
        for (String org : peerOrgs) {
            joinChannelAndInstall(org);
            approve(org);
        }
        final List<String> commit = commitDefinition();
        // The consortium record (as init-consortium.sh writes it natively): the contract refuses every call before it.
        final String dataCenter = roleMsps(consortium, "dataCenter").get(0);
        final String record = "{\"dataCenterMsp\":\"" + dataCenter + "\",\"meterOwnerMsps\":["
                + String.join(",", roleMsps(consortium, "meterOwner").stream().sorted().map(m -> "\"" + m + "\"").toList())
                + "],\"postalAuthorityMsp\":\"" + roleMsps(consortium, "postalAuthority").get(0) + "\"}";
        final List<String> init = new ArrayList<>(List.of("peer", "chaincode", "invoke"));
        init.addAll(ordererArgs());
        init.addAll(List.of("-C", channel, "-n", definition.path("name").asText()));
        init.addAll(commit.subList(commit.indexOf("--peerAddresses"), commit.size()));
        init.addAll(List.of("--waitForEvent", "-c", "{\"function\":\"initConsortium\",\"Args\":[\"consortium-init\","
                + JSON.valueToTree(record) + "]}"));
        retry(() -> exec(byNode.get("peer0-DataCenter"), admin(), init.toArray(String[]::new)), 10);
        lap("lifecycle", t);
        description = describe(consortium, orgs, ordererNames, definition);
        System.err.println("[postal-containers] consortium up in containers (" + prefix + "): " + timings);
    }

    /** The org's Fabric CA container, from its bundle; the bootstrap secret through the environment only. */
    private GenericContainer<?> ca(final String org) {
        final String secret = read(bundles.resolve(org).resolve("ca/bootstrap.secret")).strip();
        final GenericContainer<?> ca = container("ca-" + org, images.get("postal-fabric-ca"), bundles.resolve(org),
                bundles.resolve(org).resolve("ca/container.json"), Wait.forLogMessage("(?s).*Listening on https://.*", 1));
        ca.withEnv("FABRIC_CA_SERVER_BOOT", "admin:" + secret);
        return ca;
    }

    /** Starts bundle.sh enrol for the org at its running CA's published port. */
    private Process enrol(final String org) {
        final int caPort = orgNode(consortium, org).at("/ca/port").asInt();
        return startScript("containers/bundle.sh", Map.of("FABRIC_CA_CLIENT_BIN", staticFabric.resolve("bin/fabric-ca-client").toString()),
                "enrol", org, "127.0.0.1:" + byNode.get("ca-" + org).getMappedPort(caPort));
    }

    private GenericContainer<?> peer(final String org) {
        final JsonNode peer = orgNode(consortium, org).path("peer");
        return container("peer0-" + org, images.get("postal-fabric-peer"), bundles.resolve(org),
                bundles.resolve(org).resolve("nodes").resolve(peer.path("name").asText()).resolve("container.json"),
                Wait.forHttp("/healthz").forPort(peer.path("operationsPort").asInt()));
    }

    private String channel() {
        return consortium.path("channel").asText();
    }

    /** The first orderer at its address on the container network, over TLS with the orderer org's root. */
    private List<String> ordererArgs() {
        final String address = ordererNames.get(0) + "." + consortium.at("/ordererOrg/domain").asText() + ":"
                + consortium.at("/ordererOrg/nodes/0/port").asInt();
        return List.of("-o", address, "--tls", "--cafile", "/bundle/consortium/Orderer-ca.pem");
    }

    /** The current chaincode definition's arguments (approve, commit, checkcommitreadiness). */
    private List<String> definitionArgs() {
        return List.of("--channelID", channel(), "--name", definition.path("name").asText(),
                "--version", definition.path("version").asText(), "--sequence", definition.path("sequence").asText(),
                "--signature-policy", definition.path("signaturePolicy").asText(),
                "--collections-config", "/bundle/" + definition.path("collectionsConfig").asText());
    }

    /** The org's admin joins its peer to the channel from the genesis block (it catches up from the orderer) and installs the package. */
    private void joinChannelAndInstall(final String org) {
        final GenericContainer<?> peer = byNode.get("peer0-" + org);
        retry(() -> exec(peer, admin(), "peer", "channel", "join", "-b", "/bundle/consortium/" + channel() + ".block"), 5);
        exec(peer, admin(), "peer", "lifecycle", "chaincode", "install", "/bundle/" + definition.path("package").asText());
    }

    /** The org's admin approves the current chaincode definition for its org. */
    private void approve(final String org) {
        final List<String> approve = new ArrayList<>(List.of("peer", "lifecycle", "chaincode", "approveformyorg"));
        approve.addAll(ordererArgs());
        approve.addAll(definitionArgs());
        approve.addAll(List.of("--package-id", definition.path("packageId").asText()));
        retry(() -> exec(byNode.get("peer0-" + org), admin(), approve.toArray(String[]::new)), 5);
    }

    /** DataCenter's admin commits the current definition, endorsed by every peer org's peer; returns the command. */
    private List<String> commitDefinition() {
        final List<String> commit = new ArrayList<>(List.of("peer", "lifecycle", "chaincode", "commit"));
        commit.addAll(ordererArgs());
        commit.addAll(definitionArgs());
        for (String org : peerOrgs) {
            final JsonNode o = orgNode(consortium, org);
            commit.addAll(List.of("--peerAddresses", o.at("/peer/name").asText() + "." + o.path("domain").asText() + ":" + o.at("/peer/port").asInt(),
                    "--tlsRootCertFiles", "/bundle/consortium/" + org + "-ca.pem"));
        }
        retry(() -> exec(byNode.get("peer0-DataCenter"), admin(), commit.toArray(String[]::new)), 5);
        return commit;
    }

    private static Map<String, String> admin() {
        return Map.of("CORE_PEER_MSPCONFIGPATH", "/bundle/users/admin/msp", "FABRIC_LOGGING_SPEC", "warning");
    }

    private NetworkDescription describe(final JsonNode consortium, final List<String> orgs, final List<String> ordererNames,
            final JsonNode definition) {
        final List<NetworkDescription.Organisation> organisations = new ArrayList<>();
        for (String org : orgs) {
            final JsonNode o = orgNode(consortium, org);
            final Path dir = bundles.resolve(org);
            final GenericContainer<?> ca = byNode.get("ca-" + org);
            final Optional<NetworkDescription.Peer> peer = o.has("peer") ? Optional.of(new NetworkDescription.Peer(
                    o.at("/peer/name").asText() + "." + o.path("domain").asText(),
                    "127.0.0.1:" + byNode.get("peer0-" + org).getMappedPort(o.at("/peer/port").asInt()),
                    o.at("/peer/name").asText() + "." + o.path("domain").asText(),
                    URI.create("http://127.0.0.1:" + byNode.get("peer0-" + org).getMappedPort(o.at("/peer/operationsPort").asInt()))))
                    : Optional.empty();
            organisations.add(new NetworkDescription.Organisation(org, o.path("mspId").asText(), o.path("domain").asText(),
                    new NetworkDescription.CertificateAuthority(URI.create("https://127.0.0.1:" + ca.getMappedPort(o.at("/ca/port").asInt())),
                            "ca-" + org, dir.resolve("ca/ca-cert.pem"), "admin", dir.resolve("ca/bootstrap.secret"),
                            dir.resolve("ca-registrar"),
                            URI.create("http://127.0.0.1:" + ca.getMappedPort(o.at("/ca/operationsPort").asInt()))),
                    new NetworkDescription.Admin(dir.resolve("users/admin/msp/signcerts/cert.pem"),
                            dir.resolve("users/admin/msp/keystore/key.pem"), dir.resolve("users/admin/msp")),
                    dir.resolve("msp/cacerts/ca-cert.pem"), peer));
        }
        // Peer organisations first, as describe.sh lists them.
        organisations.add(organisations.remove(0));
        final List<NetworkDescription.Orderer> ordererList = new ArrayList<>();
        for (int i = 0; i < ordererNames.size(); i++) {
            final JsonNode node = consortium.at("/ordererOrg/nodes/" + i);
            final GenericContainer<?> c = byNode.get(ordererNames.get(i));
            ordererList.add(new NetworkDescription.Orderer(ordererNames.get(i), "127.0.0.1:" + c.getMappedPort(node.path("port").asInt()),
                    "127.0.0.1:" + c.getMappedPort(node.path("adminPort").asInt()),
                    URI.create("http://127.0.0.1:" + c.getMappedPort(node.path("operationsPort").asInt()))));
        }
        final List<NetworkDescription.NodeProcess> processes = new ArrayList<>();
        byNode.forEach((node, c) -> processes.add(new NetworkDescription.NodeProcess(node,
                c.getCurrentContainerInfo().getState().getPidLong(), Optional.empty())));
        final JsonNode cc = readJson(bundles.resolve("DataCenter/nodes/chaincode-service/container.json"));
        return new NetworkDescription(state, staticFabric, consortium.path("channel").asText(),
                consortium.at("/chaincode/name").asText(), organisations, ordererList,
                Optional.of(new NetworkDescription.DeployedChaincode(definition.path("name").asText(),
                        definition.path("version").asText(), definition.path("sequence").asInt(),
                        definition.path("packageId").asText(), cc.path("alias").asText() + ":" + cc.at("/ports/0").asInt())),
                processes, bundles);
    }

    /** A node's container from its definition (container.json of the bundle): image, alias, ports, env, command. */
    private GenericContainer<?> container(final String node, final String image, final Path orgBundle, final Path definition,
            final WaitStrategy ready) {
        if (image == null) {
            throw new IllegalStateException("no image for " + node + " among " + images);
        }
        final JsonNode d = readJson(definition);
        final String alias = d.path("alias").asText();
        final GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image))
                .withNetwork(network).withNetworkAliases(alias)
                .withCreateContainerCmdModifier(cmd -> cmd.withName(prefix + "-" + node).withHostName(alias))
                .withLabel("org.postalfunds.run", prefix)
                .withFileSystemBind(orgBundle.toString(), d.path("bundleMount").asText(), BindMode.READ_WRITE)
                .waitingFor(ready.withStartupTimeout(START_LIMIT));
        d.path("ports").forEach(p -> container.addExposedPort(p.asInt()));
        d.path("env").fields().forEachRemaining(e -> container.withEnv(e.getKey(), e.getValue().asText()));
        final List<String> command = new ArrayList<>();
        d.path("command").forEach(a -> command.add(a.asText()));
        if (!command.isEmpty()) {
            container.withCommand(command.toArray(String[]::new));
        }
        containers.add(container);
        byNode.put(node, container);
        return container;
    }

    /** Runs a command in a node's container; fails with its output unless it exits 0. */
    public static String exec(final GenericContainer<?> container, final Map<String, String> env, final String... command) {
        try {
            final ExecResult result = container.execInContainer(ExecConfig.builder().command(command).envVars(env).build());
            if (result.getExitCode() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " in " + container.getContainerName()
                        + " exited " + result.getExitCode() + ": " + result.getStdout() + result.getStderr());
            }
            return result.getStdout() + result.getStderr();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void retry(final Runnable step, final int attempts) {
        for (int i = 1; ; i++) {
            try {
                step.run();
                return;
            } catch (IllegalStateException e) {
                if (i >= attempts) {
                    throw e;
                }
                sleep(Duration.ofSeconds(2));
            }
        }
    }

    /** Waits for a line matching PATTERN in the container's log. */
    public static void awaitLog(final GenericContainer<?> container, final Pattern pattern, final Duration limit) {
        final long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (pattern.matcher(container.getLogs()).find()) {
                return;
            }
            sleep(Duration.ofMillis(250));
        }
        throw new IllegalStateException("no '" + pattern + "' in the log of " + container.getContainerName() + " within "
                + limit.toSeconds() + " s; its end: " + tail(container.getLogs()));
    }

    private static String tail(final String log) {
        return log.length() <= 3000 ? log : log.substring(log.length() - 3000);
    }

    private static void sleep(final Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private long lap(final String phase, final long since) {
        final long now = System.nanoTime();
        timings.put(phase, (now - since) / 1_000_000);
        return now;
    }

    private static List<String> roleMsps(final JsonNode consortium, final String role) {
        final List<String> msps = new ArrayList<>();
        consortium.path("peerOrgs").forEach(o -> {
            if (role.equals(o.path("ledgerRole").asText())) {
                msps.add(o.path("mspId").asText());
            }
        });
        if (msps.isEmpty()) {
            throw new IllegalStateException("network/consortium.json names no peer org with ledgerRole " + role);
        }
        return msps;
    }

    private static JsonNode orgNode(final JsonNode consortium, final String org) {
        if ("Orderer".equals(org) || consortium.at("/ordererOrg/name").asText().equals(org)) {
            return consortium.path("ordererOrg");
        }
        for (String list : List.of("peerOrgs", "joiningOrgs")) {
            for (JsonNode o : consortium.path(list)) {
                if (o.path("name").asText().equals(org)) {
                    return o;
                }
            }
        }
        throw new IllegalArgumentException("no organisation " + org + " in network/consortium.json");
    }

    private Path nativeFabric() {
        return Path.of(script("test-network/install-fabric.sh", Map.of()).strip().lines().reduce((a, b) -> b).orElseThrow());
    }

    private String script(final String script, final Map<String, String> env, final String... args) {
        return finish(startScript(script, env, args), script + " " + String.join(" ", args));
    }

    private Process startScript(final String script, final Map<String, String> env, final String... args) {
        final List<String> command = new ArrayList<>(List.of("bash", projectRoot.resolve(script).toString()));
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).directory(projectRoot.toFile());
        builder.environment().put("POSTAL_BUNDLES", bundles.toString());
        builder.environment().putAll(env);
        // What the script says goes to a log beside the bundles; its standard output is its answer.
        try {
            Files.createDirectories(state.resolve("logs"));
            builder.redirectError(ProcessBuilder.Redirect.appendTo(state.resolve("logs/scripts.log").toFile()));
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String finish(final Process process, final String what) {
        try {
            final byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(SCRIPT_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(what + " did not finish within " + SCRIPT_LIMIT.toMinutes() + " min");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(what + " failed (exit " + process.exitValue() + "); see "
                        + state.resolve("logs/scripts.log") + ": " + tail(read(state.resolve("logs/scripts.log"))));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(final Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
    }

    private static JsonNode readJson(final Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static String read(final Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What of this run the engine still has: containers and networks named with the prefix, volumes labelled with it. */
    public List<String> leftovers() {
        final List<String> left = new ArrayList<>();
        left.addAll(podman("ps", "-a", "--filter", "name=^" + prefix, "--format", "container {{.Names}}"));
        left.addAll(podman("network", "ls", "--filter", "name=^" + prefix, "--format", "network {{.Name}}"));
        left.addAll(podman("volume", "ls", "--filter", "label=org.postalfunds.run=" + prefix, "--format", "volume {{.Name}}"));
        return left;
    }

    private List<String> podman(final String... args) {
        final List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        try {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
            return out.lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Removes every container and the network of this run (their logs first, into STATE/logs), then stops podman's service if started here. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (Map.Entry<String, GenericContainer<?>> e : byNode.entrySet()) {
            try {
                if (e.getValue().getContainerId() != null) {
                    Files.writeString(state.resolve("logs").resolve(e.getKey() + ".log"), e.getValue().getLogs());
                }
            } catch (IOException | RuntimeException ignored) {
                // A log that cannot be kept must not keep a container alive.
            }
        }
        for (GenericContainer<?> c : containers) {
            try {
                c.stop();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (network != null) {
            try {
                network.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        // The bundles hold this run's private keys: gone with the run (the logs stay in STATE/logs).
        try {
            deleteTree(bundles);
        } catch (RuntimeException e) {
            failure = failure == null ? e : failure;
        }
        if (podman != null) {
            final List<String> left = leftovers();
            if (!left.isEmpty() && failure == null) {
                failure = new IllegalStateException("left behind after close: " + left);
            }
            podman.close();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The podman service started for this run, if one was: its pid (gone after close). */
    public java.util.OptionalLong podmanServicePid() {
        return podman == null ? java.util.OptionalLong.empty() : podman.servicePid();
    }
}

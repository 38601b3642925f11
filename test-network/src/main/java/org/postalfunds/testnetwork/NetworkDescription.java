package org.postalfunds.testnetwork;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The running network as {@code test-network/describe.sh} writes it to {@code .network/network.json}: what a
 * client needs to reach each organisation's peer gateway and CA, and the processes behind them.
 */
public record NetworkDescription(
        Path state,
        Path fabricHome,
        String channel,
        String chaincodeName,
        List<Organisation> organisations,
        List<Orderer> orderers,
        Optional<DeployedChaincode> chaincode,
        List<NodeProcess> processes,
        Path profiles) {

    public NetworkDescription {
        organisations = List.copyOf(organisations);
        orderers = List.copyOf(orderers);
        processes = List.copyOf(processes);
    }

    /** A peer organisation's peer, whose gateway clients submit through. */
    public record Peer(String name, String endpoint, String serverName, URI operations) {
        public String host() {
            return endpoint.substring(0, endpoint.lastIndexOf(':'));
        }

        public int port() {
            return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
        }
    }

    /** The organisation's Fabric CA; its bootstrap registrar's secret is in a file of the network state. */
    public record CertificateAuthority(URI url, String name, Path tlsCertificate, String registrar,
            Path registrarSecretFile, Path registrarHome, URI operations) {
    }

    /** The organisation's admin: certificate and private key files (PEM), and its MSP folder for the peer CLI. */
    public record Admin(Path certificate, Path privateKey, Path mspDir) {
    }

    public record Organisation(String name, String mspId, String domain, CertificateAuthority ca, Admin admin,
            Path tlsRootCertificate, Optional<Peer> peer) {
        public Peer requirePeer() {
            return peer.orElseThrow(() -> new NoSuchElementException(name + " has no peer"));
        }
    }

    public record Orderer(String name, String endpoint, String adminEndpoint, URI operations) {
    }

    public record DeployedChaincode(String name, String version, int sequence, String packageId, String serviceAddress) {
    }

    /** One process of the network; {@code operations} is its /healthz and /metrics endpoint, if it has one. */
    public record NodeProcess(String name, long pid, Optional<URI> operations) {
    }

    public Organisation organisation(final String name) {
        return organisations.stream().filter(o -> o.name().equals(name) || o.mspId().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no organisation " + name + " in " + state));
    }

    /** The organisations with a peer (all but the orderer organisation), in the description's order. */
    public List<Organisation> peerOrganisations() {
        return organisations.stream().filter(o -> o.peer().isPresent()).toList();
    }

    /** The {@code postal} CLI profile of an organisation's admin. */
    public Path adminProfile(final String organisation) {
        return profiles.resolve(organisation(organisation).name() + "-admin.json");
    }

    public static NetworkDescription read(final Path networkJson) {
        final JsonNode root;
        try {
            root = new ObjectMapper().readTree(networkJson.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + networkJson, e);
        }
        final List<Organisation> organisations = stream(root.path("organisations")).map(o -> new Organisation(
                o.path("name").asText(), o.path("mspId").asText(), o.path("domain").asText(),
                new CertificateAuthority(URI.create(o.at("/ca/url").asText()), o.at("/ca/name").asText(),
                        Path.of(o.at("/ca/tlsCertificate").asText()), o.at("/ca/registrar").asText(),
                        Path.of(o.at("/ca/registrarSecretFile").asText()), Path.of(o.at("/ca/registrarHome").asText()),
                        URI.create(o.at("/ca/operations").asText())),
                new Admin(Path.of(o.at("/admin/certificate").asText()), Path.of(o.at("/admin/privateKey").asText()),
                        Path.of(o.at("/admin/mspDir").asText())),
                Path.of(o.path("tlsRootCertificate").asText()),
                o.has("peer") ? Optional.of(new Peer(o.at("/peer/name").asText(), o.at("/peer/endpoint").asText(),
                        o.at("/peer/serverName").asText(), URI.create(o.at("/peer/operations").asText())))
                        : Optional.empty())).toList();
        final List<Orderer> orderers = stream(root.path("orderers")).map(o -> new Orderer(o.path("name").asText(),
                o.path("endpoint").asText(), o.path("admin").asText(), URI.create(o.path("operations").asText())))
                .toList();
        final JsonNode cc = root.path("chaincode");
        final Optional<DeployedChaincode> chaincode = cc.has("packageId")
                ? Optional.of(new DeployedChaincode(cc.path("name").asText(), cc.path("version").asText(),
                        cc.path("sequence").asInt(), cc.path("packageId").asText(), cc.path("serviceAddress").asText()))
                : Optional.empty();
        final List<NodeProcess> processes = stream(root.path("processes")).map(p -> new NodeProcess(
                p.path("name").asText(), p.path("pid").asLong(-1),
                p.hasNonNull("operations") ? Optional.of(URI.create(p.path("operations").asText())) : Optional.empty()))
                .toList();
        return new NetworkDescription(Path.of(root.path("state").asText()), Path.of(root.path("fabricHome").asText()),
                root.path("channel").asText(),
                root.path("chaincodeName").asText(), organisations, orderers, chaincode, processes,
                Path.of(root.path("profiles").asText()));
    }

    private static java.util.stream.Stream<JsonNode> stream(final JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false);
    }
}

package org.postalfunds.hsm.server;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.security.auth.x500.X500Principal;

import io.grpc.Status;
import io.grpc.StatusException;
import org.postalfunds.hsm.MeterIds;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.crypto.CertificateNames;

/**
 * Decides who a caller is from its (already chain-verified) TLS client certificate.
 *
 * <ul>
 *   <li>operator: OU=operator, or a CN listed in access.operatorCommonNames; when access.operatorIssuers is
 *       set, only certificates from those issuers qualify (any trusted org CA can write OU=operator into a
 *       certificate, so in production operators should be pinned to the DataCenter's CA);</li>
 *   <li>meter: OU=client and a CN that is a meter id;</li>
 *   <li>anything else is refused.</li>
 * </ul>
 */
final class AccessPolicy {
    static final String OPERATOR_UNIT = "operator";

    private final Set<String> operatorCommonNames;
    private final Set<X500Principal> operatorIssuers;

    AccessPolicy(final Set<String> operatorCommonNames, final Set<X500Principal> operatorIssuers) {
        this.operatorCommonNames = Set.copyOf(operatorCommonNames);
        this.operatorIssuers = Set.copyOf(operatorIssuers);
    }

    CallerIdentity identify(final X509Certificate certificate) throws StatusException {
        final String subject = certificate.getSubjectX500Principal().getName(X500Principal.RFC2253);
        final Optional<String> commonName = CertificateNames.commonName(certificate);
        if (commonName.isEmpty()) {
            throw Status.UNAUTHENTICATED.withDescription("the client certificate '" + subject
                    + "' has no single CN, so it names no meter or operator").asException();
        }
        final String cn = commonName.get();
        final List<String> units = CertificateNames.organizationalUnits(certificate);
        final String issuer = certificate.getIssuerX500Principal().getName(X500Principal.RFC2253);
        final boolean operatorClaim = units.contains(OPERATOR_UNIT) || operatorCommonNames.contains(cn);
        if (operatorClaim) {
            if (units.contains(MeterSubject.CLIENT_UNIT)) {
                throw Status.PERMISSION_DENIED.withDescription("the client certificate '" + subject
                        + "' claims both OU=client and operator; a certificate must have one role").asException();
            }
            if (!operatorIssuers.isEmpty() && !operatorIssuers.contains(certificate.getIssuerX500Principal())) {
                throw Status.PERMISSION_DENIED.withDescription("operator certificates must be issued by "
                        + operatorIssuers + "; '" + issuer + "' is not one of them").asException();
            }
            return new CallerIdentity(subject, cn, units, issuer, CallerRole.OPERATOR);
        }
        if (units.contains(MeterSubject.CLIENT_UNIT)) {
            if (!MeterIds.isValid(cn)) {
                throw Status.PERMISSION_DENIED.withDescription("the client certificate '" + subject
                        + "' has OU=client but its CN is not a meter id").asException();
            }
            return new CallerIdentity(subject, cn, units, issuer, CallerRole.METER);
        }
        throw Status.PERMISSION_DENIED.withDescription("the client certificate '" + subject
                + "' is neither a meter client (OU=client, CN=<meter id>) nor an operator (OU=operator)").asException();
    }
}

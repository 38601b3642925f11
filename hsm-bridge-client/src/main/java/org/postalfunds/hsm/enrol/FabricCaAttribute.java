package org.postalfunds.hsm.enrol;

import java.util.Objects;

/**
 * An attribute of a registered identity ({@code attrs} of Fabric CA's register request).
 *
 * @param name attribute name, e.g. {@code postal.meter}
 * @param value its value
 * @param inEnrollmentCertificate whether Fabric CA puts it into the enrolment certificate by default ({@code ecert})
 */
public record FabricCaAttribute(String name, String value, boolean inEnrollmentCertificate) {
    public FabricCaAttribute {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isBlank() || name.length() > 128) {
            throw new IllegalArgumentException("an attribute name is 1 to 128 characters");
        }
    }
}

package org.postalfunds.hsm.pkcs11;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The few PKCS#11 calls Java's SunPKCS11 provider does not expose: token labels per slot, object
 * attributes, and labelling the key objects of a meter.
 *
 * <p>It drives the JDK's own PKCS#11 wrapper ({@code sun.security.pkcs11.wrapper}), which shares the
 * loaded library, its single C_Initialize and its login state with SunPKCS11 in this JVM. The wrapper is
 * not exported by its module, so the JVM needs
 * {@code --add-exports jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED} (the shaded jar's
 * manifest says so). It is called reflectively so that the module still compiles with {@code --release 17}.
 */
final class Pkcs11Module {
    // PKCS#11 v2.40 constants (pkcs11t.h).
    static final long CKA_CLASS = 0x0L;
    static final long CKA_TOKEN = 0x1L;
    static final long CKA_PRIVATE = 0x2L;
    static final long CKA_LABEL = 0x3L;
    static final long CKA_ID = 0x102L;
    static final long CKA_SENSITIVE = 0x103L;
    static final long CKA_SIGN = 0x108L;
    static final long CKA_DERIVE = 0x10CL;
    static final long CKA_EXTRACTABLE = 0x162L;
    static final long CKA_NEVER_EXTRACTABLE = 0x164L;
    static final long CKA_ALWAYS_SENSITIVE = 0x165L;
    static final long CKA_EC_POINT = 0x181L;
    static final long CKO_PUBLIC_KEY = 0x2L;
    static final long CKO_PRIVATE_KEY = 0x3L;
    private static final long CKF_RW_SESSION = 0x2L;
    private static final long CKF_SERIAL_SESSION = 0x4L;
    private static final long CKF_OS_LOCKING_OK = 0x2L;
    /** Upper bound of objects one search returns; a meter has one private and one public key. */
    private static final int MAX_OBJECTS_PER_SEARCH = 16;

    private static final String WRAPPER = "sun.security.pkcs11.wrapper.";

    private final Path library;
    private final Object pkcs11;
    private final Class<?> attributeClass;
    private final Constructor<?> attributeOfType;
    private final Constructor<?> attributeWithValue;
    private final Method getSlotList;
    private final Method getTokenInfo;
    private final Method openSession;
    private final Method closeSession;
    private final Method findObjectsInit;
    private final Method findObjects;
    private final Method findObjectsFinal;
    private final Method getAttributeValue;
    private final Method setAttributeValue;
    private final Method destroyObject;

    private Pkcs11Module(final Path library) throws TokenException {
        this.library = library;
        try {
            final Class<?> pkcs11Class = Class.forName(WRAPPER + "PKCS11");
            final Class<?> initArgsClass = Class.forName(WRAPPER + "CK_C_INITIALIZE_ARGS");
            final Class<?> notifyClass = Class.forName(WRAPPER + "CK_NOTIFY");
            attributeClass = Class.forName(WRAPPER + "CK_ATTRIBUTE");
            final Class<?> attributeArray = Array.newInstance(attributeClass, 0).getClass();
            attributeOfType = attributeClass.getConstructor(long.class);
            attributeWithValue = attributeClass.getConstructor(long.class, Object.class);
            getSlotList = pkcs11Class.getMethod("C_GetSlotList", boolean.class);
            getTokenInfo = pkcs11Class.getMethod("C_GetTokenInfo", long.class);
            openSession = pkcs11Class.getMethod("C_OpenSession", long.class, long.class, Object.class, notifyClass);
            closeSession = pkcs11Class.getMethod("C_CloseSession", long.class);
            findObjectsInit = pkcs11Class.getMethod("C_FindObjectsInit", long.class, attributeArray);
            findObjects = pkcs11Class.getMethod("C_FindObjects", long.class, long.class);
            findObjectsFinal = pkcs11Class.getMethod("C_FindObjectsFinal", long.class);
            getAttributeValue = pkcs11Class.getMethod("C_GetAttributeValue", long.class, long.class, attributeArray);
            setAttributeValue = pkcs11Class.getMethod("C_SetAttributeValue", long.class, long.class, attributeArray);
            destroyObject = pkcs11Class.getMethod("C_DestroyObject", long.class, long.class);

            // The same initialisation arguments as SunPKCS11 uses, so whichever loads the library first,
            // the shared instance behaves the same for both.
            final Object initArgs = initArgsClass.getConstructor().newInstance();
            initArgsClass.getField("flags").setLong(initArgs, CKF_OS_LOCKING_OK);
            pkcs11 = pkcs11Class.getMethod("getInstance", String.class, String.class, initArgsClass, boolean.class)
                    .invoke(null, library.toString(), "C_GetFunctionList", initArgs, false);
        } catch (IllegalAccessException | IllegalAccessError e) {
            throw wrapperNotExported(e);
        } catch (InvocationTargetException e) {
            throw new TokenException(TokenException.Reason.LIBRARY_NOT_FOUND, null,
                    "PKCS#11 library " + library + " cannot be loaded: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this JDK's PKCS#11 wrapper is not the one of Java 17", e);
        }
    }

    static Pkcs11Module load(final Path library) throws TokenException {
        if (!Files.isRegularFile(library)) {
            throw new TokenException(TokenException.Reason.LIBRARY_NOT_FOUND,
                    "PKCS#11 library " + library + " does not exist");
        }
        return new Pkcs11Module(library.toAbsolutePath().normalize());
    }

    Path library() {
        return library;
    }

    /** Label of the token in each slot that holds one, by slot id. */
    Map<Long, String> tokenLabels() throws TokenException {
        final Map<Long, String> labels = new LinkedHashMap<>();
        for (final long slot : (long[]) call(getSlotList, true)) {
            labels.put(slot, tokenLabel(slot));
        }
        return labels;
    }

    /** The slot holding the token with this label. */
    long slotOf(final String label) throws TokenException {
        final Map<Long, String> labels = tokenLabels();
        for (final Map.Entry<Long, String> entry : labels.entrySet()) {
            if (entry.getValue().equals(label)) {
                return entry.getKey();
            }
        }
        throw new TokenException(TokenException.Reason.TOKEN_NOT_FOUND, "no token labelled '" + label
                + "' in PKCS#11 library " + library + "; tokens present: " + labels.values());
    }

    /** True when the slot still holds the token with this label. */
    boolean holdsToken(final long slot, final String label) {
        try {
            return label.equals(tokenLabel(slot));
        } catch (TokenException e) {
            return false;
        }
    }

    /**
     * Labels a meter's key objects with the meter id: the private key (found by the CKA_ID that
     * SunPKCS11's KeyStore gave it) gets CKA_LABEL; the public key (found by its EC point) gets CKA_LABEL
     * and CKA_ID, so that tools listing the token show which meter each object belongs to.
     */
    void labelKeyObjects(final long slot, final String meterId, final byte[] ecPointDer) throws TokenException {
        final long session = (long) call(openSession, slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, null, null);
        try {
            final long[] privateKeys = find(session, attribute(CKA_CLASS, CKO_PRIVATE_KEY), attribute(CKA_ID, id(meterId)));
            if (privateKeys.length != 1) {
                throw new TokenException(TokenException.Reason.TOKEN_FAILURE, meterId,
                        privateKeys.length + " private keys carry the id of meter " + meterId + ", expected 1", null);
            }
            call(setAttributeValue, session, privateKeys[0], attributes(attribute(CKA_LABEL, meterId.toCharArray())));
            for (final long publicKey : find(session, attribute(CKA_CLASS, CKO_PUBLIC_KEY),
                    attribute(CKA_EC_POINT, ecPointDer))) {
                call(setAttributeValue, session, publicKey, attributes(
                        attribute(CKA_LABEL, meterId.toCharArray()), attribute(CKA_ID, id(meterId))));
            }
        } finally {
            call(closeSession, session);
        }
    }

    /**
     * Revokes a meter's keys for good: destroys every private key object carrying one of {@code ids} as CKA_ID (the
     * signing key and the key-agreement key) and relabels the signing public key object {@code revokedLabel}, the
     * token's own record of the revocation (it outlives the bridge process). Returns how many private keys it
     * destroyed.
     */
    int revokeKeyObjects(final long slot, final String meterId, final String revokedLabel, final String... ids)
            throws TokenException {
        final long session = (long) call(openSession, slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, null, null);
        try {
            final long[] publicKeys = find(session, attribute(CKA_CLASS, CKO_PUBLIC_KEY), attribute(CKA_ID, id(meterId)));
            for (final long publicKey : publicKeys) {
                call(setAttributeValue, session, publicKey, attributes(attribute(CKA_LABEL, revokedLabel.toCharArray())));
            }
            int destroyed = 0;
            for (final String keyId : ids) {
                for (final long privateKey : find(session, attribute(CKA_CLASS, CKO_PRIVATE_KEY),
                        attribute(CKA_ID, id(keyId)))) {
                    call(destroyObject, session, privateKey);
                    destroyed++;
                }
            }
            return destroyed;
        } finally {
            call(closeSession, session);
        }
    }

    /** How many private key objects carry {@code keyId} as CKA_ID (a meter's key: 1; revoked or never made: 0). */
    int privateKeyCount(final long slot, final String keyId) throws TokenException {
        final long session = (long) call(openSession, slot, CKF_SERIAL_SESSION, null, null);
        try {
            return find(session, attribute(CKA_CLASS, CKO_PRIVATE_KEY), attribute(CKA_ID, id(keyId))).length;
        } finally {
            call(closeSession, session);
        }
    }

    /** True when the token holds a public key object labelled {@code revokedLabel} (see {@link #revokeKeyObjects}). */
    boolean holdsRevokedKey(final long slot, final String revokedLabel) throws TokenException {
        final long session = (long) call(openSession, slot, CKF_SERIAL_SESSION, null, null);
        try {
            return find(session, attribute(CKA_CLASS, CKO_PUBLIC_KEY),
                    attribute(CKA_LABEL, revokedLabel.toCharArray())).length > 0;
        } finally {
            call(closeSession, session);
        }
    }

    /** The attributes of a meter's private key object as the token reports them. */
    MeterKeyAttributes privateKeyAttributes(final long slot, final String meterId) throws TokenException {
        final long session = (long) call(openSession, slot, CKF_SERIAL_SESSION, null, null);
        try {
            final long[] keys = find(session, attribute(CKA_CLASS, CKO_PRIVATE_KEY), attribute(CKA_ID, id(meterId)));
            if (keys.length != 1) {
                throw new TokenException(TokenException.Reason.METER_KEY_NOT_FOUND, meterId,
                        keys.length + " private keys carry the id of meter " + meterId + ", expected 1", null);
            }
            final Object[] wanted = attributes(attribute(CKA_LABEL), attribute(CKA_TOKEN), attribute(CKA_PRIVATE),
                    attribute(CKA_SENSITIVE), attribute(CKA_EXTRACTABLE), attribute(CKA_NEVER_EXTRACTABLE),
                    attribute(CKA_ALWAYS_SENSITIVE), attribute(CKA_SIGN), attribute(CKA_DERIVE));
            call(getAttributeValue, session, keys[0], wanted);
            return new MeterKeyAttributes(chars(wanted[0]), bool(wanted[1]), bool(wanted[2]), bool(wanted[3]),
                    bool(wanted[4]), bool(wanted[5]), bool(wanted[6]), bool(wanted[7]), bool(wanted[8]));
        } finally {
            call(closeSession, session);
        }
    }

    private String tokenLabel(final long slot) throws TokenException {
        final Object info = call(getTokenInfo, slot);
        try {
            // CK_TOKEN_INFO.label is 32 characters, blank padded.
            return new String((char[]) info.getClass().getField("label").get(info)).trim();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("CK_TOKEN_INFO has no label field", e);
        }
    }

    private long[] find(final long session, final Object... template) throws TokenException {
        call(findObjectsInit, session, attributes(template));
        try {
            return (long[]) call(findObjects, session, (long) MAX_OBJECTS_PER_SEARCH);
        } finally {
            call(findObjectsFinal, session);
        }
    }

    private static byte[] id(final String meterId) {
        return meterId.getBytes(StandardCharsets.UTF_8);
    }

    private Object attribute(final long type) {
        try {
            return attributeOfType.newInstance(type);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("CK_ATTRIBUTE(long) failed", e);
        }
    }

    private Object attribute(final long type, final Object value) {
        try {
            return attributeWithValue.newInstance(type, value);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("CK_ATTRIBUTE(long, Object) failed", e);
        }
    }

    private Object[] attributes(final Object... attributes) {
        final Object[] array = (Object[]) Array.newInstance(attributeClass, attributes.length);
        System.arraycopy(attributes, 0, array, 0, attributes.length);
        return array;
    }

    private static boolean bool(final Object attribute) {
        return (boolean) invokeOn(attribute, "getBoolean");
    }

    private static String chars(final Object attribute) {
        final char[] value = (char[]) invokeOn(attribute, "getCharArray");
        return value == null ? "" : new String(value);
    }

    private static Object invokeOn(final Object attribute, final String method) {
        try {
            return attribute.getClass().getMethod(method).invoke(attribute);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("CK_ATTRIBUTE." + method + " failed", e);
        }
    }

    private Object call(final Method method, final Object... arguments) throws TokenException {
        try {
            return method.invoke(pkcs11, arguments);
        } catch (InvocationTargetException e) {
            // PKCS11Exception's message is the CKR_ code name, e.g. "CKR_TOKEN_NOT_PRESENT".
            throw new TokenException(TokenException.Reason.TOKEN_FAILURE, null,
                    method.getName() + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (IllegalAccessException e) {
            throw wrapperNotExported(e);
        }
    }

    private static TokenException wrapperNotExported(final Throwable cause) {
        return new TokenException(TokenException.Reason.PKCS11_WRAPPER_NOT_EXPORTED, null,
                "the JDK's PKCS#11 wrapper is not accessible; start the JVM with "
                        + "--add-exports jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED", cause);
    }
}

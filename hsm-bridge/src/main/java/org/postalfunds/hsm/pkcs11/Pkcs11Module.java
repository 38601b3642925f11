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
 * The PKCS#11 calls of the token's meter keys: token labels per slot, key pairs generated with their CKA_ID and
 * CKA_LABEL, certificate objects, ECDSA and ECDH by object handle, and listing the objects once when the token opens.
 * SunPKCS11's KeyStore would do the same work by re-reading every object of the token on most calls, which made each
 * enrolment cost more the more meters the token held (issue 17); by handle, each operation costs the same.
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
    static final long CKA_VALUE = 0x11L;
    static final long CKA_CERTIFICATE_TYPE = 0x80L;
    static final long CKA_ISSUER = 0x81L;
    static final long CKA_SERIAL_NUMBER = 0x82L;
    static final long CKA_KEY_TYPE = 0x100L;
    static final long CKA_SUBJECT = 0x101L;
    static final long CKA_ID = 0x102L;
    static final long CKA_SENSITIVE = 0x103L;
    static final long CKA_SIGN = 0x108L;
    static final long CKA_VERIFY = 0x10AL;
    static final long CKA_DERIVE = 0x10CL;
    static final long CKA_VALUE_LEN = 0x161L;
    static final long CKA_EXTRACTABLE = 0x162L;
    static final long CKA_NEVER_EXTRACTABLE = 0x164L;
    static final long CKA_ALWAYS_SENSITIVE = 0x165L;
    static final long CKA_EC_PARAMS = 0x180L;
    static final long CKA_EC_POINT = 0x181L;
    static final long CKO_CERTIFICATE = 0x1L;
    static final long CKO_PUBLIC_KEY = 0x2L;
    static final long CKO_PRIVATE_KEY = 0x3L;
    static final long CKO_SECRET_KEY = 0x4L;
    static final long CKK_EC = 0x3L;
    static final long CKK_GENERIC_SECRET = 0x10L;
    static final long CKC_X_509 = 0x0L;
    static final long CKM_EC_KEY_PAIR_GEN = 0x1040L;
    static final long CKM_ECDSA = 0x1041L;
    static final long CKM_ECDH1_DERIVE = 0x1050L;
    static final long CKD_NULL = 0x1L;
    private static final long CKF_RW_SESSION = 0x2L;
    private static final long CKF_SERIAL_SESSION = 0x4L;
    private static final long CKF_OS_LOCKING_OK = 0x2L;
    /** Upper bound of objects one search returns; a meter has one private and one public key. */
    private static final int MAX_OBJECTS_PER_SEARCH = 16;
    /** The P-256 ECDH secret: the shared point's x coordinate. */
    private static final int ECDH_SECRET_BYTES = 32;
    /** Objects per C_FindObjects call when listing a whole class of objects (once, when the token is opened). */
    private static final int LISTING_BATCH = 256;

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
    private final Method createObject;
    private final Method generateKeyPair;
    private final Method signInit;
    private final Method sign;
    private final Method deriveKey;
    private final Constructor<?> mechanism;
    private final Constructor<?> ecdhMechanism;
    private final Constructor<?> ecdhParameters;

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
            createObject = pkcs11Class.getMethod("C_CreateObject", long.class, attributeArray);
            final Class<?> mechanismClass = Class.forName(WRAPPER + "CK_MECHANISM");
            final Class<?> ecdhParametersClass = Class.forName(WRAPPER + "CK_ECDH1_DERIVE_PARAMS");
            mechanism = mechanismClass.getConstructor(long.class);
            ecdhMechanism = mechanismClass.getConstructor(long.class, ecdhParametersClass);
            ecdhParameters = ecdhParametersClass.getConstructor(long.class, byte[].class, byte[].class);
            generateKeyPair = pkcs11Class.getMethod("C_GenerateKeyPair", long.class, mechanismClass, attributeArray,
                    attributeArray);
            signInit = pkcs11Class.getMethod("C_SignInit", long.class, mechanismClass, long.class);
            sign = pkcs11Class.getMethod("C_Sign", long.class, byte[].class);
            deriveKey = pkcs11Class.getMethod("C_DeriveKey", long.class, mechanismClass, long.class, attributeArray);

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

    /** A read-write session on the slot; the token's login (SunPKCS11's) covers it, as every session of the process. */
    long openSession(final long slot) throws TokenException {
        return (long) call(openSession, slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, null, null);
    }

    void closeSession(final long session) throws TokenException {
        call(closeSession, session);
    }

    /** Handles of a key pair generated in the token. */
    record KeyPairHandles(long publicKey, long privateKey) {
    }

    /** An EC key pair generated in the token from the two templates (CKM_EC_KEY_PAIR_GEN). */
    KeyPairHandles generateEcKeyPair(final long session, final Attribute[] publicTemplate,
            final Attribute[] privateTemplate) throws TokenException {
        final long[] handles = (long[]) call(generateKeyPair, session, newMechanism(CKM_EC_KEY_PAIR_GEN),
                template(publicTemplate), template(privateTemplate));
        return new KeyPairHandles(handles[0], handles[1]);
    }

    long createObject(final long session, final Attribute... template) throws TokenException {
        return (long) call(createObject, session, template(template));
    }

    void destroyObject(final long session, final long object) throws TokenException {
        call(destroyObject, session, object);
    }

    void setAttributes(final long session, final long object, final Attribute... values) throws TokenException {
        call(setAttributeValue, session, object, template(values));
    }

    /** A byte-array attribute of one object (CKA_VALUE of a certificate, CKA_EC_POINT of a public key). */
    byte[] bytes(final long session, final long object, final long type) throws TokenException {
        final Object[] wanted = attributes(attribute(type));
        call(getAttributeValue, session, object, wanted);
        return (byte[]) invokeOn(wanted[0], "getByteArray");
    }

    /** CKM_ECDSA over the digest as given (no hashing): the raw r || s the token returns. */
    byte[] signEcdsa(final long session, final long privateKey, final byte[] digest) throws TokenException {
        call(signInit, session, newMechanism(CKM_ECDSA), privateKey);
        return (byte[]) call(sign, session, digest);
    }

    /**
     * ECDH (CKM_ECDH1_DERIVE, no KDF) between the private key and the uncompressed point: the shared secret is a
     * readable session object, read and destroyed at once.
     */
    byte[] deriveEcdhSecret(final long session, final long privateKey, final byte[] uncompressedPoint)
            throws TokenException {
        final Object parameters;
        final Object ecdh;
        try {
            parameters = ecdhParameters.newInstance(CKD_NULL, null, uncompressedPoint);
            ecdh = ecdhMechanism.newInstance(CKM_ECDH1_DERIVE, parameters);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("CK_MECHANISM(CKM_ECDH1_DERIVE) failed", e);
        }
        final long secret = (long) call(deriveKey, session, ecdh, privateKey, attributes(
                attribute(CKA_CLASS, CKO_SECRET_KEY), attribute(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
                attribute(CKA_TOKEN, false), attribute(CKA_SENSITIVE, false), attribute(CKA_EXTRACTABLE, true),
                attribute(CKA_VALUE_LEN, (long) ECDH_SECRET_BYTES)));
        try {
            return bytes(session, secret, CKA_VALUE);
        } finally {
            call(destroyObject, session, secret);
        }
    }

    /** One object of a listing: its handle, CKA_ID as text (empty when none) and CKA_LABEL. */
    record TokenObject(long handle, String id, String label) {
    }

    /**
     * Every object of the class in the token with its CKA_ID and CKA_LABEL. A PKCS#11 search visits every object of the
     * token, so this is for opening the token, never for a request.
     */
    java.util.List<TokenObject> objects(final long session, final long objectClass) throws TokenException {
        final java.util.List<Long> handles = new java.util.ArrayList<>();
        call(findObjectsInit, session, attributes(attribute(CKA_CLASS, objectClass)));
        try {
            while (true) {
                final long[] batch = (long[]) call(findObjects, session, (long) LISTING_BATCH);
                for (final long handle : batch) {
                    handles.add(handle);
                }
                if (batch.length < LISTING_BATCH) {
                    break;
                }
            }
        } finally {
            call(findObjectsFinal, session);
        }
        final java.util.List<TokenObject> objects = new java.util.ArrayList<>(handles.size());
        for (final long handle : handles) {
            final Object[] wanted = attributes(attribute(CKA_ID), attribute(CKA_LABEL));
            call(getAttributeValue, session, handle, wanted);
            objects.add(new TokenObject(handle, chars(wanted[0]), chars(wanted[1])));
        }
        return objects;
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

    /** One PKCS#11 attribute of a template: a Long, Boolean, byte[] or char[] value. */
    record Attribute(long type, Object value) {
    }

    static byte[] id(final String meterId) {
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

    private Object[] template(final Attribute[] template) {
        final Object[] array = (Object[]) Array.newInstance(attributeClass, template.length);
        for (int i = 0; i < template.length; i++) {
            array[i] = attribute(template[i].type(), template[i].value());
        }
        return array;
    }

    private Object newMechanism(final long type) {
        try {
            return mechanism.newInstance(type);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("CK_MECHANISM(long) failed", e);
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

    /**
     * A text attribute (CKA_LABEL, or CKA_ID as the meter id's UTF-8): the wrapper returns an empty value (what
     * SunPKCS11's key generator leaves) in the other type.
     */
    private static String chars(final Object attribute) {
        final Object value;
        try {
            value = attribute.getClass().getField("pValue").get(attribute);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("CK_ATTRIBUTE has no pValue field", e);
        }
        if (value instanceof char[]) {
            return new String((char[]) value);
        }
        return value instanceof byte[] ? new String((byte[]) value, StandardCharsets.UTF_8) : "";
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

package dev.palimpsest.server;

import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** TLS for {@link PalimpsestServer.Builder#tls}: a context from a PKCS#12 keystore. */
public final class ServerTls {
    private ServerTls() {
    }

    /**
     * {@return a TLS context serving the key and certificate chain of a PKCS#12 keystore}
     * (such as {@code keytool -genkeypair -storetype PKCS12} or {@code openssl pkcs12 -export}
     * make), TLS 1.2 or 1.3 as the JDK negotiates
     *
     * @param keystore the {@code .p12} file
     * @param password its password (also the key's, as PKCS#12 tools make them)
     * @throws PalimpsestException {@code IO} if the file cannot be read, {@code INVALID_INPUT} if
     *         it is not a PKCS#12 keystore with a key that this password opens
     */
    public static SSLContext pkcs12(Path keystore, char[] password) {
        KeyStore store;
        try (InputStream in = Files.newInputStream(keystore)) {
            store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
        } catch (IOException e) {
            if (e.getCause() instanceof java.security.UnrecoverableKeyException
                    || e.getMessage() != null && e.getMessage().contains("password")) {
                throw PalimpsestException.invalid("the keystore '" + keystore
                        + "' does not open with this password");
            }
            if (e instanceof java.nio.file.NoSuchFileException
                    || e instanceof java.nio.file.AccessDeniedException) {
                throw new PalimpsestException(FailureKind.IO, null, "cannot read the keystore '"
                        + keystore + "': " + e.getMessage(), e);
            }
            throw new PalimpsestException(FailureKind.INVALID_INPUT, null, "'" + keystore
                    + "' is not a PKCS#12 keystore: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new PalimpsestException(FailureKind.INVALID_INPUT, null, "'" + keystore
                    + "' is not a usable PKCS#12 keystore: " + e.getMessage(), e);
        }
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(
                    KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new PalimpsestException(FailureKind.INVALID_INPUT, null, "the keystore '"
                    + keystore + "' holds no key this password opens: " + e.getMessage(), e);
        }
    }
}

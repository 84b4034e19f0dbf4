package io.stare.state.store.redis;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StaticCredentialsProvider;
import io.stare.state.store.StateStore;
import io.stare.state.store.StateStoreDriver;
import io.stare.state.store.StateStoreException;
import io.stare.state.store.StateStoreException.Kind;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code stare.state.store.driver = redis}: {@link RedisStore}, with the settings of
 * {@code stare.state.store.redis}:
 *
 * <ul>
 *   <li>{@code uri}: {@code redis://[[user]:password@]host[:port][/database]} (or {@code rediss://}
 *       for TLS, and Lettuce's other forms);</li>
 *   <li>{@code password}: if not empty, replaces the URI's (the URI's user stays);</li>
 *   <li>{@code timeout}: for connecting and for every command.</li>
 * </ul>
 */
public final class RedisStoreDriver implements StateStoreDriver {

    private static final String PREFIX = "stare.state.store.redis.";

    @Override
    public String label() {
        return "redis";
    }

    /**
     * Connects and checks that Redis answers a {@code PING} with these credentials.
     *
     * @throws StateStoreException {@link Kind#CONFIGURATION} for a missing or malformed setting,
     *     {@link Kind#AUTHENTICATION} if Redis refuses the credentials, {@link Kind#UNAVAILABLE} if
     *     it cannot be reached or does not answer within the timeout
     */
    @Override
    public StateStore open(Config settings) {
        RedisURI uri = uri(setting(settings, "uri"));
        String password = settings.hasPath("password") ? setting(settings, "password") : "";
        if (!password.isEmpty()) {
            uri.setAuthentication(username(uri), password.toCharArray());
        }
        return RedisStore.open(uri, timeout(settings));
    }

    private static String setting(Config settings, String name) {
        try {
            return settings.getString(name);
        } catch (ConfigException e) {
            throw new StateStoreException(Kind.CONFIGURATION, PREFIX + name + ": " + e.getMessage(), e);
        }
    }

    private static RedisURI uri(String text) {
        String trimmed = text.trim();
        RedisURI uri;
        URI parsed;
        try {
            uri = RedisURI.create(trimmed);
            parsed = new URI(trimmed);
        } catch (IllegalArgumentException | URISyntaxException e) {
            throw malformed(trimmed, e.getMessage(), e);
        }
        // Lettuce takes "redis://host:notaport" as the host "host:notaport", which would fail only at
        // connecting, as if Redis were down; java.net.URI finds no host in it.
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        boolean hosted = scheme.equals(RedisURI.URI_SCHEME_REDIS) || scheme.equals(RedisURI.URI_SCHEME_REDIS_SECURE);
        if (hosted && parsed.getHost() == null) {
            throw malformed(trimmed, "no host[:port] in it", null);
        }
        return uri;
    }

    private static StateStoreException malformed(String uri, String why, Throwable cause) {
        // The text may hold a password: with credentials in it, the message shows the scheme only.
        int colon = uri.indexOf(':');
        String shown = colon > 0 && uri.indexOf('@') >= 0 ? uri.substring(0, colon) + "://..." : uri;
        String reason = why == null ? "" : why.replace(uri, shown);
        // The cause's message repeats the text, so it goes only where the text hides nothing.
        return new StateStoreException(Kind.CONFIGURATION, PREFIX + "uri '" + shown + "' is malformed: " + reason,
                shown.equals(uri) ? cause : null);
    }

    /** The user the URI names, kept when the password setting replaces the URI's password. */
    private static String username(RedisURI uri) {
        if (uri.getCredentialsProvider() instanceof StaticCredentialsProvider provider) {
            RedisCredentials credentials = provider.resolveCredentialsNow();
            if (credentials != null && credentials.hasUsername()) {
                return credentials.getUsername();
            }
        }
        return null;
    }

    private static Duration timeout(Config settings) {
        Duration timeout;
        try {
            timeout = settings.getDuration("timeout");
        } catch (ConfigException e) {
            throw new StateStoreException(Kind.CONFIGURATION, PREFIX + "timeout: " + e.getMessage(), e);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new StateStoreException(Kind.CONFIGURATION, PREFIX + "timeout must be positive: " + timeout);
        }
        return timeout;
    }
}

package dynamos.ui;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;

/**
 * Who may use the Control Center: whoever holds the token printed with its URL, from the UI's own page.
 *
 * <p>The rules, checked before any handler runs (a refusal changes nothing):
 * <ul>
 *   <li>The {@code Host} header must name the loopback: {@code 127.0.0.1}, {@code localhost} or {@code [::1]},
 *       with any port (an SSH tunnel may forward another local port to this one): a page of another site
 *       whose name an attacker re-points to 127.0.0.1 (DNS rebinding) sends its own name.</li>
 *   <li>A request with an {@code Origin} header must come from the UI's own origin.</li>
 *   <li>The bare page load {@code GET /?token=TOKEN} is let in and sets the token as an HttpOnly,
 *       SameSite=Strict cookie; every other request needs the token, as that cookie or as the header
 *       {@value #HEADER}.</li>
 *   <li>A state-changing request is a POST and needs the header: a cross-site form can send the cookie
 *       only under SameSite=Lax rules and can never set a header.</li>
 * </ul>
 */
public final class AccessGuard {
    /** The header API calls carry the token in. */
    public static final String HEADER = "X-DynAMOS-Token";

    private final byte[] token;
    private final String tokenText;
    private final int port;

    /** A guard for a server on {@code port} with a fresh random token. */
    public AccessGuard(int port) {
        this(port, newToken());
    }

    AccessGuard(int port, String token) {
        this.port = port;
        this.tokenText = token;
        this.token = token.getBytes(StandardCharsets.US_ASCII);
    }

    /** 32 random bytes, base64url without padding (43 characters). */
    static String newToken() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public String token() {
        return tokenText;
    }

    /** The cookie's name; with the port, so that two Control Centers on one machine keep theirs apart. */
    public String cookieName() {
        return "dynamos_token_" + port;
    }

    /** The {@code Set-Cookie} value of a page load. */
    public String cookie() {
        return cookieName() + "=" + tokenText + "; Path=/; HttpOnly; SameSite=Strict";
    }

    /**
     * One request as the guard sees it.
     *
     * @param queryToken  the {@code token} query parameter, or null
     * @param cookieToken the token cookie's value, or null
     * @param headerToken the {@value #HEADER} header, or null
     */
    public record Request(String method, String path, String host, String origin, String queryToken,
                          String cookieToken, String headerToken) {}

    /** Let in ({@code setCookie}: answer with the token cookie) or refused with a message. */
    public record Decision(boolean allowed, boolean setCookie, String refusal) {
        static final Decision ALLOW = new Decision(true, false, null);
        static final Decision PAGE_LOAD = new Decision(true, true, null);

        static Decision refuse(String why) {
            return new Decision(false, false, why);
        }
    }

    /** Whether a request with {@code method} may change state (then it must be a POST with the header). */
    static boolean changesState(String method) {
        return !method.equals("GET") && !method.equals("HEAD");
    }

    public Decision check(Request r) {
        if (r.host() == null || !ownHost(r.host())) {
            return Decision.refuse("Host " + (r.host() == null ? "(none)" : "'" + r.host() + "'")
                    + " is not the loopback (127.0.0.1, localhost or [::1]); open the URL 'dynamos ui' printed,"
                    + " through an SSH tunnel from another machine");
        }
        if (r.origin() != null && !r.origin().equalsIgnoreCase("http://" + r.host())) {
            return Decision.refuse("cross-origin request from " + r.origin() + " refused");
        }
        if (!changesState(r.method())) {
            if (r.path().equals("/") && r.queryToken() != null) {
                return matches(r.queryToken()) ? Decision.PAGE_LOAD
                        : Decision.refuse("wrong token in the URL; open the URL 'dynamos ui' printed (a new token each start)");
            }
            if (matches(r.headerToken()) || matches(r.cookieToken())) {
                return Decision.ALLOW;
            }
            return Decision.refuse("no valid token: open the URL 'dynamos ui' printed, with its ?token=");
        }
        if (!r.method().equals("POST")) {
            return Decision.refuse(r.method() + " is not allowed; the Control Center changes state by POST only");
        }
        if (!matches(r.headerToken())) {
            return Decision.refuse("a state-changing request needs the " + HEADER + " header with the token");
        }
        return Decision.ALLOW;
    }

    /** Whether {@code host} (a Host header: name and optional port) names the loopback. */
    static boolean ownHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        String name;
        String portPart;
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            if (end < 0) {
                return false;
            }
            name = h.substring(0, end + 1);
            portPart = h.substring(end + 1);
        } else {
            int colon = h.indexOf(':');
            name = colon < 0 ? h : h.substring(0, colon);
            portPart = colon < 0 ? "" : h.substring(colon);
        }
        if (!portPart.isEmpty() && !portPart.matches(":[0-9]{1,5}")) {
            return false;
        }
        return name.equals("127.0.0.1") || name.equals("localhost") || name.equals("[::1]");
    }

    /** Constant-time comparison with the token. */
    private boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.US_ASCII));
    }

    /** The value of cookie {@code name} in a {@code Cookie} header, or null. */
    static String cookieValue(String cookieHeader, String name) {
        if (cookieHeader == null) {
            return null;
        }
        for (String part : cookieHeader.split(";")) {
            String p = part.strip();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).equals(name)) {
                return p.substring(eq + 1);
            }
        }
        return null;
    }
}

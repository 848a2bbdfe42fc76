package dynamos.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.ui.AccessGuard.Decision;
import dynamos.ui.AccessGuard.Request;
import org.junit.jupiter.api.Test;

/** Who gets in: the page load with the token, then the cookie or header; changes only by POST with the header. */
class AccessGuardTest {
    private static final String TOKEN = "t0k3n-0123456789abcdefghijklmnopqrstuvwxyzAB";
    private final AccessGuard guard = new AccessGuard(7070, TOKEN);

    private static Request get(String path, String host, String query, String cookie, String header) {
        return new Request("GET", path, host, null, query, cookie, header);
    }

    private static Request post(String host, String origin, String cookie, String header) {
        return new Request("POST", "/api/activate", host, origin, null, cookie, header);
    }

    @Test
    void newTokensAre32RandomBytesInBase64Url() {
        String a = AccessGuard.newToken();
        assertThat(a).hasSize(43).matches("[A-Za-z0-9_-]+");
        assertThat(AccessGuard.newToken()).isNotEqualTo(a);
        assertThat(new AccessGuard(1).token()).isNotEqualTo(new AccessGuard(1).token());
    }

    @Test
    void thePageLoadWithTheTokenSetsAStrictHttpOnlyCookie() {
        Decision d = guard.check(get("/", "127.0.0.1:7070", TOKEN, null, null));
        assertThat(d.allowed()).isTrue();
        assertThat(d.setCookie()).isTrue();
        assertThat(guard.cookie()).isEqualTo("dynamos_token_7070=" + TOKEN + "; Path=/; HttpOnly; SameSite=Strict");
        assertThat(guard.check(get("/", "localhost:7070", TOKEN, null, null)).allowed()).isTrue();
    }

    @Test
    void everyOtherReadNeedsTheCookieOrTheHeader() {
        assertThat(guard.check(get("/", "127.0.0.1:7070", null, null, null)).allowed()).isFalse();
        assertThat(guard.check(get("/", "127.0.0.1:7070", "wrong", null, null)).refusal()).contains("wrong token");
        assertThat(guard.check(get("/api/view", "127.0.0.1:7070", null, null, null)).refusal()).contains("no valid token");
        assertThat(guard.check(get("/api/view", "127.0.0.1:7070", TOKEN, null, null)).allowed())
                .as("the query token opens the page only").isFalse();
        assertThat(guard.check(get("/api/view", "127.0.0.1:7070", null, TOKEN.substring(1), null)).allowed()).isFalse();
        assertThat(guard.check(get("/api/view", "127.0.0.1:7070", null, TOKEN, null)).allowed()).isTrue();
        assertThat(guard.check(get("/api/events", "127.0.0.1:7070", null, null, TOKEN)).allowed()).isTrue();
        assertThat(guard.check(get("/app.js", "127.0.0.1:7070", null, TOKEN, null)).setCookie()).isFalse();
    }

    @Test
    void changesNeedAPostWithTheHeaderNotJustTheCookie() {
        assertThat(guard.check(post("127.0.0.1:7070", null, TOKEN, null)).refusal()).contains("X-DynAMOS-Token header");
        assertThat(guard.check(post("127.0.0.1:7070", null, null, "nope")).allowed()).isFalse();
        assertThat(guard.check(post("127.0.0.1:7070", null, null, TOKEN)).allowed()).isTrue();
        assertThat(guard.check(post("127.0.0.1:7070", "http://127.0.0.1:7070", TOKEN, TOKEN)).allowed()).isTrue();
        for (String m : new String[] {"PUT", "DELETE", "PATCH"}) {
            assertThat(guard.check(new Request(m, "/api/activate", "127.0.0.1:7070", null, null, TOKEN, TOKEN)).refusal())
                    .contains("POST only");
        }
    }

    @Test
    void foreignOriginsAreRefusedEvenWithTheToken() {
        assertThat(guard.check(post("127.0.0.1:7070", "http://evil.example", TOKEN, TOKEN)).refusal())
                .contains("cross-origin").contains("evil.example");
        assertThat(guard.check(post("127.0.0.1:7070", "http://localhost:7070", TOKEN, TOKEN)).allowed())
                .as("Origin must match the Host the page was loaded from").isFalse();
        assertThat(guard.check(post("127.0.0.1:7070", "null", TOKEN, TOKEN)).allowed()).isFalse();
        assertThat(guard.check(new Request("GET", "/api/view", "127.0.0.1:7070", "http://127.0.0.1:8080", null, TOKEN, null))
                .allowed()).isFalse();
    }

    @Test
    void otherHostNamesAreRefusedAgainstDnsRebinding() {
        assertThat(guard.check(get("/", "attacker.example:7070", TOKEN, null, null)).refusal())
                .contains("'attacker.example:7070' is not the loopback");
        assertThat(guard.check(get("/", null, TOKEN, null, null)).allowed()).isFalse();
        assertThat(guard.check(post("evil:7070", null, null, TOKEN)).allowed()).isFalse();
        for (String refused : new String[] {"127.0.0.1.attacker.example:7070", "localhost.attacker.example",
                "127.0.0.2:7070", "[::2]:7070", "127.0.0.1:70a", "[::1", "localhost:7070@evil"}) {
            assertThat(guard.check(get("/", refused, TOKEN, null, null)).allowed()).as(refused).isFalse();
        }
        assertThat(guard.check(get("/", "LOCALHOST:7070", TOKEN, null, null)).allowed()).isTrue();
    }

    @Test
    void anyPortOfTheLoopbackIsLetInForTunnels() {
        // ssh -L 8080:127.0.0.1:7070: the browser sends Host 127.0.0.1:8080 and Origin http://127.0.0.1:8080.
        for (String host : new String[] {"127.0.0.1:8080", "127.0.0.1", "localhost:9999", "[::1]:7070"}) {
            assertThat(guard.check(get("/", host, TOKEN, null, null)).allowed()).as(host).isTrue();
        }
        assertThat(guard.check(post("127.0.0.1:8080", "http://127.0.0.1:8080", null, TOKEN)).allowed()).isTrue();
        assertThat(guard.check(post("127.0.0.1:8080", "http://127.0.0.1:7070", null, TOKEN)).allowed())
                .as("the Origin must still match the Host").isFalse();
    }

    @Test
    void cookiesAreFoundByName() {
        assertThat(AccessGuard.cookieValue("a=1; dynamos_token_7070=xyz; b=2", "dynamos_token_7070")).isEqualTo("xyz");
        assertThat(AccessGuard.cookieValue("dynamos_token_7071=xyz", "dynamos_token_7070")).isNull();
        assertThat(AccessGuard.cookieValue(null, "x")).isNull();
    }
}

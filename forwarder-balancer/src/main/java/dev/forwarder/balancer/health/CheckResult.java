package dev.forwarder.balancer.health;

/**
 * How one check went.
 *
 * @param passed whether the backend answered as expected
 * @param detail key=value words for the log line, e.g. {@code check=http status=503}
 */
record CheckResult(boolean passed, String detail) {

    static CheckResult pass(HealthCheckType type, String detail) {
        return new CheckResult(true, "check=" + type.label() + (detail.isEmpty() ? "" : " " + detail));
    }

    static CheckResult fail(HealthCheckType type, String detail) {
        return new CheckResult(false, "check=" + type.label() + " " + detail);
    }
}

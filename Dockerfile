# forwarder in a container: Debian's Java 17 runtime, the jar built on the host, the config mounted from outside.
#
#   mvn -B -q package -DskipTests                     # builds forwarder-app/target/forwarder.jar on the host
#   docker build -t forwarder .                       # --build-arg BASE_IMAGE=... for another Debian-based base
#   docker run -d --name fwd -p 8080:8080 -v "$PWD/my.conf:/etc/forwarder/forwarder.conf:ro" forwarder
#   docker kill -s HUP fwd                            # reload the mounted file in place
#   docker stop -t 40 fwd                             # SIGTERM: drain for shutdown-timeout, then exit 0
#
# docker stop waits 10 s by default before it kills; give it more than forwarder.shutdown-timeout (30 s by
# default), or connections are cut by SIGKILL instead of drained. A listener must bind 0.0.0.0 (or the
# container's address) to be reachable through a published port. JVM options: -e JAVA_TOOL_OPTIONS="-Xmx512m".
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}

# The mirror may serve a dated snapshot whose Release files are past Valid-Until. openjdk's postinst writes man
# page links into /usr/share/man/man1, which minimal images may lack. (The same instruction, to the byte, as in
# forwarder-it's forwarder-jre image, so that Docker's cache builds the JRE layer once for both.)
RUN echo 'Acquire::Check-Valid-Until "false";' > /etc/apt/apt.conf.d/99no-check-valid-until \
 && mkdir -p /usr/share/man/man1 \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin forwarder \
 && mkdir -p /etc/forwarder /opt/forwarder

# Last, so a new jar rebuilds only this layer.
COPY forwarder-app/target/forwarder.jar /opt/forwarder/forwarder.jar

USER forwarder:forwarder
# 8080: the example listener port; 9901: the admin port (bind it to 0.0.0.0 with a token to reach it from outside
# the container). A config may bind others (publish those with -p).
EXPOSE 8080 9901
# forwarder drains on SIGTERM (what docker stop sends); SIGHUP reloads the config (docker kill -s HUP).
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-jar", "/opt/forwarder/forwarder.jar"]
CMD ["run", "--config", "/etc/forwarder/forwarder.conf"]

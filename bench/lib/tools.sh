# What the bench scripts need before they start, shared by run.sh, features.sh, idle.sh and profile.sh.
# Uses log/die from proc.sh and WORK, REPO, JAR from the calling script.

# Installs the given Debian packages (none: nothing to do), with sudo unless root.
install_debian() { # PACKAGE...
    (($#)) || return 0
    local sudo=()
    [[ $(id -u) == 0 ]] || sudo=(sudo)
    log "installing from Debian: $*"
    "${sudo[@]}" apt-get update -q >"$WORK/apt.log" 2>&1 || { tail "$WORK/apt.log" >&2; die "apt-get update failed"; }
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q "$@" >>"$WORK/apt.log" 2>&1 \
        || { tail "$WORK/apt.log" >&2; die "apt-get install $* failed"; }
}

# java and python3 present, and the forwarder jar built when it is missing.
ensure_runtime_and_jar() {
    command -v java >/dev/null || die "java (JDK 17) is needed"
    command -v python3 >/dev/null || die "python3 is needed"
    if [[ ! -f $JAR ]]; then
        command -v mvn >/dev/null || die "$JAR is missing and mvn is not installed to build it"
        log "building $JAR"
        (cd "$REPO" && mvn -B -q package -DskipTests) || die "build failed"
    fi
}

# The forwarder and JVM versions, and which commit the jar under test was built from.
forwarder_versions() { # ORIGINAL_JAR
    echo "forwarder: $(java -jar "$JAR" --version 2>&1 | head -1); $(java -version 2>&1 | head -1)"
    if git -C "$REPO" rev-parse --short HEAD >/dev/null 2>&1; then
        echo "source:    jar built $(date -r "$1" '+%F %T'); at bench start the tree was at commit" \
            "$(git -C "$REPO" rev-parse --short HEAD) with $(git -C "$REPO" status --short -- forwarder-core \
            forwarder-balancer forwarder-app | wc -l) uncommitted file(s) under forwarder-*/"
    fi
}

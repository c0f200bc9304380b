package dev.forwarder.balancer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Makes a pool's member list what DNS says it is, on the control thread and through {@link PoolControl}'s
 * transitions: a member whose address stays keeps its state, health, counters and connections; one whose address
 * is gone drains and leaves with its last connection; a new address joins with the initial health.
 */
final class MemberReconciler {

    private final PoolControl control;

    MemberReconciler(PoolControl control) {
        this.control = control;
    }

    /** The addresses hostname {@code spec} resolves to now. */
    void resolved(BackendSpec spec, List<InetAddress> addresses) {
        List<PoolMember> members = control.members();
        Set<InetAddress> fresh = new LinkedHashSet<>(addresses);
        for (PoolMember member : List.copyOf(members)) {
            if (member.spec() != spec) {
                continue;
            }
            if (fresh.remove(member.address().getAddress())) {
                if (member.draining) {
                    control.undrain(member, "reason=dns host=" + spec.host() + " back=true");
                }
            } else if (!member.draining) {
                control.drain(member, "reason=dns host=" + spec.host() + " gone=true");
            }
        }
        for (InetAddress address : fresh) {
            InetSocketAddress socketAddress = new InetSocketAddress(address, spec.port());
            if (members.stream().noneMatch(m -> m.address().equals(socketAddress))) {
                control.join(new PoolMember(spec, socketAddress, control.settings().maxConnections()),
                        insertionPoint(spec), "reason=dns");
            }
        }
    }

    /** After the last member of {@code spec} or of any spec before it: members stay in config order. */
    private int insertionPoint(BackendSpec spec) {
        List<BackendSpec> specs = control.specs();
        List<PoolMember> members = control.members();
        int specIndex = indexOf(specs, spec);
        int at = 0;
        for (int i = 0; i < members.size(); i++) {
            if (indexOf(specs, members.get(i).spec()) <= specIndex) {
                at = i + 1;
            }
        }
        return at;
    }

    private static int indexOf(List<BackendSpec> specs, BackendSpec spec) {
        for (int i = 0; i < specs.size(); i++) {
            if (specs.get(i) == spec) {
                return i;
            }
        }
        return -1;
    }
}
